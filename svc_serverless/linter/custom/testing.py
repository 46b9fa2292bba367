"""`svc rules test [FILES]`: run every custom rule's examples, like `cfn-guard test`.

Each rule's `examples: {pass: [...], fail: [...]}`, and those of a test file beside its rule
file (`tables.yaml` -> `tables.tests.yaml`, a list of `{rule: CODE, pass: [...], fail: [...]}`),
are run through the compiled rule exactly as `svc lint` runs it: a pass example must give no
finding, a fail example at least one. A rule without a fail example fails the test: a rule
never shown to report anything may report nothing. What an example is:

- for a resource rule: one resource (`{Type, Properties}`) or a whole template (`Resources`,
  with `Globals`);
- for a template rule, a template; for a manifest rule, a `catalog-info.yaml` document;
- for a facts rule, facts in `svc facts` JSON form (keys left out take an empty repo's values).

Exit 0 when every example passes, 1 when one fails, 2 when a rule file is invalid.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import MarkedDict, MarkedStr, position
from svc_serverless.linter.custom.rulefile import (
    TEST_SUFFIXES,
    Example,
    RuleDef,
    examples_of,
    read_rules,
    read_yaml,
    rule_files,
)
from svc_serverless.linter.rule import AnyRule, OrgRule, Problem, Rule


@dataclass(frozen=True)
class Outcome:
    rule: str
    label: str  # "pass[0]", "fail[2]", or "" for the rule as a whole
    where: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        head = f"{'PASS' if self.ok else 'FAIL'} {self.rule}"
        if self.label:
            head += f" {self.label}"
        return f"{head} ({self.where})" + (f": {self.detail}" if self.detail else "")


def run_rule_tests(paths: list[Path], config: Path | None) -> int:
    from svc_serverless.linter.custom.build import build
    from svc_serverless.linter.custom.codes import refuse_duplicates
    from svc_serverless.linter.custom.ruleset import builtin

    targets = [(p, p.as_posix()) for p in paths] or _policy_rule_paths(config)
    definitions: list[tuple[RuleDef, Path, str]] = []
    for path, shown in targets:
        for file, file_shown in rule_files(path, shown):
            definitions += [(d, file, file_shown) for d in read_rules(file, file_shown)]
    built = [(build(d), d) for d, _, _ in definitions]
    refuse_duplicates([(r, "svc's built-in rule " + r.code) for r in builtin().all_rules]
                      + [(r, d.where) for r, d in built])
    extra = _test_files({(file, shown) for _, file, shown in definitions},
                        {d.code for d, _, _ in definitions})
    outcomes: list[Outcome] = []
    for rule, definition in built:
        examples = [*definition.examples, *extra.get(definition.code, ())]
        outcomes += [_run(rule, definition, example) for example in examples]
        if not any(e.expect == "fail" for e in examples):
            outcomes.append(Outcome(definition.code, "", definition.where, False,
                                    "no fail example: add one under examples.fail, so the rule "
                                    "is shown to report what it is for"))
    for outcome in outcomes:
        sys.stdout.write(outcome.line() + "\n")
    failed = sum(1 for o in outcomes if not o.ok)
    sys.stdout.write(f"{len(built)} rules, {len(outcomes) - failed} checks passed, "
                     f"{failed} failed\n")
    return 1 if failed else 0


def _policy_rule_paths(config: Path | None) -> list[tuple[Path, str]]:
    if config is None:
        raise SvcError("give rule files or folders to test (e.g. `svc rules test policies/`), or "
                       "--config POLICY to test the rules it lists")
    from svc_serverless.linter.custom.organisation import load_organisation

    spec = load_organisation(config).policy.custom
    if not spec.files:
        raise SvcError(f"{config} lists no rule files (rules: [...]): nothing to test")
    return [(Path(path), shown) for path, shown in spec.files]


def _test_files(files: set[tuple[Path, str]], codes: set[str]) -> dict[str, list[Example]]:
    """Examples from `<rule file>.tests.yaml` beside each rule file, by rule code."""
    found: dict[str, list[Example]] = {}
    for file, shown in sorted(files):
        for suffix in TEST_SUFFIXES:
            test = file.with_name(file.stem + suffix)
            if not test.is_file():
                continue
            test_shown = shown[: len(shown) - len(file.name)] + test.name
            for entry in _entries(read_yaml(test, test_shown), test_shown):
                code = str(entry.get("rule", ""))
                if code not in codes:
                    raise SvcError(f"{test_shown}:{position(entry)[0]}: tests for unknown rule "
                                   f"{code!r}: give `rule: CODE` of a rule being tested")
                for expect in ("pass", "fail"):
                    items = entry.get(expect) or []
                    found.setdefault(code, []).extend(examples_of(items, expect, test_shown))
    return found


def _entries(data: Any, shown: str) -> Iterator[Any]:
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise SvcError(f"{shown}:1: a test file is a list of {{rule: CODE, pass: [...], "
                       "fail: [...]}}")
    yield from data


def _run(rule: AnyRule, definition: RuleDef, example: Example) -> Outcome:
    label = f"{example.expect}[{example.index}]"
    where = f"{example.file}:{example.line}"
    try:
        problems = list(_problems(rule, definition, example.value))
    except _NotAnExample as err:
        return Outcome(definition.code, label, where, False, str(err))
    except Exception as err:  # noqa: BLE001 - a rule that raises fails its test, as in a lint
        from svc_serverless.linter.engine import describe_crash

        return Outcome(definition.code, label, where, False, f"crashed: {describe_crash(err)}")
    if example.expect == "pass" and problems:
        first = problems[0]
        return Outcome(definition.code, label, where, False,
                       f"expected no finding, got {len(problems)}: line {first.line}: {first.message}")
    if example.expect == "fail" and not problems:
        return Outcome(definition.code, label, where, False, "expected a finding, got none")
    return Outcome(definition.code, label, where, True)


class _NotAnExample(Exception):
    pass


def _problems(rule: AnyRule, definition: RuleDef, value: Any) -> Iterator[Problem]:
    from svc_serverless.linter.config import Policy

    if isinstance(rule, OrgRule):
        for found in rule.check([_facts(value)], Policy()):
            yield found.problem
        return
    assert isinstance(rule, Rule) and rule.check is not None
    yield from rule.check(_repo(definition, value))


def _repo(definition: RuleDef, value: Any) -> Any:
    from svc_serverless.linter.model import Listing, LoadedRepo, Template, build_resources

    if not isinstance(value, MarkedDict):
        raise _NotAnExample(f"a {definition.target} example is a mapping")
    template = manifest = None
    if definition.target == "manifest":
        manifest = value
    else:
        data = value
        if definition.target == "resource" and "Resources" not in value:
            if "Type" not in value:
                raise _NotAnExample("a resource example has Type (or is a template with Resources)")
            key = MarkedStr("Example")
            key.line, key.col = position(value)
            data = MarkedDict({MarkedStr("Resources"): MarkedDict({key: value})})
        template = Template(definition.file, data, build_resources(data))
    return LoadedRepo(name="example", root=Path("."), service="example",
                      listing=Listing((), (), ()), template=template, manifest=manifest)


def _facts(value: Any) -> Any:
    from svc_serverless.linter.facts import Facts, facts_from_json, facts_to_json

    if not isinstance(value, dict):
        raise _NotAnExample("a facts example is a mapping (svc facts JSON)")
    data = {**facts_to_json(Facts(service="example", folder="example")), **value}
    try:
        return facts_from_json(data)
    except (KeyError, TypeError, ValueError) as err:
        raise _NotAnExample(f"not facts in `svc facts` JSON form ({err.__class__.__name__}: "
                            f"{err})") from None
