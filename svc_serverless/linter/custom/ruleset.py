"""The run's rules: svc's built-in rules, the organisation's plugins and its rule files.

Loaded once per process and kept by spec: the parent loads them while reading the policy
(so every error is reported before any repo is linted), and forked workers inherit them. A
worker started another way loads the same spec itself, so custom rules can never silently go
missing from a repo's lint.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.custom.spec import RuleSetSpec
from svc_serverless.linter.rule import AnyRule, OrgRule, Rule

_LOADED: dict[RuleSetSpec, RuleSet] = {}


@dataclass(frozen=True)
class RuleSet:
    repo_rules: tuple[Rule, ...]
    org_rules: tuple[OrgRule, ...]
    definitions: tuple[object, ...] = ()  # the rule files' RuleDefs (for `svc rules test`)

    @property
    def all_rules(self) -> tuple[AnyRule, ...]:
        return (*self.repo_rules, *self.org_rules)

    def find(self, code_or_name: str) -> AnyRule | None:
        wanted = code_or_name.strip()
        return next((r for r in self.all_rules
                     if r.code.lower() == wanted.lower() or r.name == wanted), None)


def builtin() -> RuleSet:
    from svc_serverless.rules import ORG_RULES, REPO_RULES

    return RuleSet(REPO_RULES, ORG_RULES)


def ruleset(spec: RuleSetSpec) -> RuleSet:
    """The rules of `spec`, loaded at most once per process."""
    if not spec:
        return builtin()
    loaded = _LOADED.get(spec)
    if loaded is None:
        loaded = _LOADED[spec] = load(spec)
    return loaded


def make_spec(entries: list[tuple[Path, str]], plugins: list[str], where: str) -> RuleSetSpec:
    """The spec of these rule paths and plugins, with the digest of what they hold now."""
    from svc_serverless.linter.custom.rulefile import rule_files

    digest = hashlib.sha256()
    for path, shown in entries:
        for file, file_shown in rule_files(path, shown):
            digest.update(file_shown.encode() + b"\0")
            try:
                digest.update(file.read_bytes())
            except OSError:
                pass  # reported with its name when the file is read
    for name in plugins:
        digest.update(f"plugin:{name}:{_plugin_version(name)}\0".encode())
    return RuleSetSpec(tuple((str(p), s) for p, s in entries), tuple(plugins), where,
                       digest.hexdigest()[:24])


def _plugin_version(name: str) -> str:
    from importlib.metadata import entry_points

    for ep in entry_points(group="svc.rules"):
        if ep.name == name:
            dist = getattr(ep, "dist", None)
            return str(getattr(dist, "version", "")) if dist is not None else ""
    return ""


def load(spec: RuleSetSpec) -> RuleSet:
    """Build every rule of the spec; SvcError (FILE:LINE) for anything svc will not run."""
    from svc_serverless.linter.custom.build import build
    from svc_serverless.linter.custom.codes import refuse_code, refuse_duplicates
    from svc_serverless.linter.custom.plugins import load_plugin
    from svc_serverless.linter.custom.rulefile import MAX_RULES, read_rules, rule_files

    base = builtin()
    added: list[tuple[AnyRule, str]] = []
    for name in spec.plugins:
        for rule in load_plugin(name, spec.where):
            refuse_code(rule.code, f"{spec.where}: plugin {name!r}")
            added.append((rule, f"plugin {name!r}"))
    definitions = []
    for path, shown in spec.files:
        for file, file_shown in rule_files(Path(path), shown):
            definitions += read_rules(file, file_shown)
    if len(definitions) > MAX_RULES:
        raise SvcError(f"{spec.where}: more than {MAX_RULES} custom rules: merge some")
    added += [(build(d), d.where) for d in definitions]
    refuse_duplicates([(r, "svc's built-in rule " + r.code) for r in base.all_rules] + added)
    repo = tuple(r for r, _ in added if isinstance(r, Rule))
    org = tuple(r for r, _ in added if isinstance(r, OrgRule))
    return RuleSet((*base.repo_rules, *repo), (*base.org_rules, *org), tuple(definitions))
