"""A declarative rule becomes an ordinary Rule (or, over facts, an OrgRule) record.

Its `check` is a closure over the validators compiled here, once per run: the engine runs it,
names, suppresses, baselines and reports its findings exactly like a built-in rule's.

What each target validates (the instance):

- a resource: `{Type, Properties, Metadata, ...}` as written, with SAM `Globals` merged into
  `Properties` (`Resource.properties`), for each resource whose type matches `resource-types`
  (shell-style globs: `AWS::DynamoDB::*`);
- the template: the whole document as written;
- the manifest: `catalog-info.yaml` (not checked when the repo has none: LAY005 reports that);
- facts: each repo's facts in their `svc facts` JSON form, in the organisation pass.

`require` reports each schema error at the failing value; `forbid` reports a target that
matches, at the deepest `properties` branch of the schema that still matches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from svc_serverless.linter.cfnyaml import MarkedDict, plain, position
from svc_serverless.linter.custom.locate import locate, step
from svc_serverless.linter.custom.rulefile import RuleDef, fill
from svc_serverless.linter.custom.schema import compile_schema
from svc_serverless.linter.rule import AnyRule, OrgProblem, OrgRule, Problem, Rule

if TYPE_CHECKING:
    from svc_serverless.linter.config import Policy
    from svc_serverless.linter.facts import Facts
    from svc_serverless.linter.model import LoadedRepo, Resource

MAX_ERRORS = 50  # per target and rule: a report, not a dump
MAX_VALUE = 80


@dataclass(frozen=True)
class Miss:
    """One way a target breaks a rule: where (line, col), its logical path, and why."""

    line: int
    col: int
    path: tuple[str | int, ...]
    error: str
    value: str
    subject: str


class Checker:
    """A rule's compiled schemas, and how to turn a target into its misses."""

    def __init__(self, definition: RuleDef) -> None:
        self.definition = definition
        self.require = compile_schema(definition.require) if definition.require is not None else None
        self.forbid = compile_schema(definition.forbid) if definition.forbid is not None else None

    def misses(self, instance: Any, roots: Sequence[Any]) -> Iterator[Miss]:
        """What is wrong with `instance`; `roots` are the marked values to locate paths in,
        tried in order (a resource as written, then with Globals merged)."""
        if self.require is not None:
            for count, error in enumerate(self.require.iter_errors(instance)):
                if count >= MAX_ERRORS:
                    break
                yield _miss(_deepest(error), roots, instance)
        if self.forbid is not None and self.forbid.is_valid(instance):
            path = _matching_branch(self.forbid, self.definition.forbid, instance)
            line, col = _where(roots, path, False, instance)
            value = _value_at(instance, path)
            yield Miss(line, col, path, "matches what the rule forbids", _show(value),
                       "forbid:" + "/".join(map(str, path)))


def _deepest(error: Any) -> Any:
    """Of anyOf/oneOf alternatives, the error that went deepest (the best place to point at)."""
    import jsonschema

    return jsonschema.exceptions.best_match(error.context) if error.context else error


def _miss(error: Any, roots: Sequence[Any], instance: Any) -> Miss:
    missing = getattr(error, "missing", None)
    path = tuple(error.absolute_path)
    line, col = _where(roots, path, missing is not None, instance)
    full = (*path, missing) if missing is not None else path
    value = "" if missing is not None else _show(error.instance)
    return Miss(line, col, full, _short(error.message), value,
                f"{error.validator}:{'/'.join(map(str, full))}:{value}")


def _where(roots: Sequence[Any], path: tuple[str | int, ...], missing: bool, instance: Any
           ) -> tuple[int, int]:
    """The place of `path` in the first root that holds the very value the schema saw there.

    A resource's roots are the resource as written, then with Globals merged: a value found in
    the first is the local one; one merged from Globals (or a list item shifted by Globals
    items) is found only in the second, where it keeps its place in the Globals section.
    """
    target = _value_at(instance, path)
    best = (0, 0)
    for root in roots:
        line, col, whole = locate(root, path, missing)
        if whole and line and (root is roots[-1] or _value_at(root, path) is target):
            return line, col
        if best == (0, 0) and line:
            best = (line, col)
    return best


def _matching_branch(validator: Any, schema: Any, instance: Any) -> tuple[str | int, ...]:
    """The deepest path down `properties` whose subschema alone still matches."""
    path: list[str | int] = []
    while isinstance(schema, dict) and isinstance(instance, dict):
        branches = schema.get("properties")
        if not isinstance(branches, dict):
            break
        for key, sub in branches.items():
            if key in instance and validator.evolve(schema=sub).is_valid(instance[key]):
                path.append(key)
                schema, instance = sub, instance[key]
                break
        else:
            break
    return tuple(path)


def _value_at(instance: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        found, _, instance = step(instance, part)
        if not found:
            return None
    return instance


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ""
    return _short(str(value), MAX_VALUE)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# Targets


def resource_instance(resource: Resource) -> MarkedDict:
    """The resource as written, with its Globals-merged Properties (when it has any)."""
    instance = MarkedDict(resource.node)
    instance.line, instance.col = position(resource.node)
    if "Properties" in resource.node or resource.properties:
        instance["Properties"] = resource.properties
    return instance


def _problem(definition: RuleDef, miss: Miss, file: str, logical: str, values: dict[str, str]
             ) -> Problem:
    shown = "/".join(map(str, miss.path))
    message = fill(definition.message, {
        **values, "path": shown or "(the whole target)", "value": miss.value, "error": miss.error,
    })
    return Problem(message, file=file, line=miss.line, col=miss.col,
                   path="/".join(p for p in (logical, shown) if p), subject=miss.subject)


def _resource_check(checker: Checker) -> Any:
    definition = checker.definition

    def check(repo: LoadedRepo) -> Iterator[Problem]:
        template = repo.template
        if template is None or template.error is not None:
            return
        for resource in template.resources:
            if not any(fnmatchcase(resource.type, t) for t in definition.resource_types):
                continue
            anchor = next(k for k in template.section("Resources") if k == resource.logical_id)
            local = MarkedDict(resource.node)
            local.line, local.col = position(anchor)
            instance = resource_instance(resource)
            instance.line, instance.col = position(anchor)
            values = {"resource": resource.logical_id, "type": resource.type,
                      "repo": repo.name, "service": repo.service}
            for miss in checker.misses(instance, (local, instance)):
                if (miss.line, miss.col) == (0, 0):
                    miss = Miss(*position(anchor), miss.path, miss.error, miss.value, miss.subject)
                yield _problem(definition, miss, template.path,
                               f"Resources/{resource.logical_id}", values)

    return check


def _document_check(checker: Checker, manifest: bool) -> Any:
    definition = checker.definition

    def check(repo: LoadedRepo) -> Iterator[Problem]:
        from svc_serverless.linter.model import MANIFEST_NAME

        if manifest:
            document, file = repo.manifest, MANIFEST_NAME
            if document is None or repo.manifest_error is not None:
                return  # no manifest is LAY005's, an unreadable one LAY006's
        else:
            template = repo.template
            if template is None or template.error is not None:
                return
            document, file = template.data, template.path
        values = {"resource": file, "type": "", "repo": repo.name, "service": repo.service}
        for miss in checker.misses(document, (document,)):
            if (miss.line, miss.col) == (0, 0):
                miss = Miss(1, 1, miss.path, miss.error, miss.value, miss.subject)
            yield _problem(definition, miss, file, "", values)

    return check


def _facts_check(checker: Checker) -> Any:
    definition = checker.definition

    def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
        from svc_serverless.linter.facts import facts_to_json
        from svc_serverless.rules.org.index import in_order

        for f in in_order(facts):
            data = facts_to_json(f)
            values = {"resource": f.service, "type": "", "repo": f.folder or f.service,
                      "service": f.service}
            for miss in checker.misses(data, ()):
                loc = _facts_loc(data, miss.path)
                miss = Miss(loc[1], loc[2], miss.path, miss.error, miss.value, miss.subject)
                problem = _problem(definition, miss, str(loc[0]), "facts", values)
                yield OrgProblem(f.folder or f.service, problem)

    return check


def _facts_loc(data: dict[str, Any], path: tuple[str | int, ...]) -> list[Any]:
    """The `at` of the deepest fact on the path; else where the service (or scaffold) is named."""
    loc: list[Any] = data["scaffold_at" if path[:1] == ("scaffold_version",) else "service_at"]
    node: Any = data
    for part in path:
        found, _, node = step(node, part)
        if not found:
            break
        if isinstance(node, dict) and isinstance(node.get("at"), list):
            loc = node["at"]
    return loc


def build(definition: RuleDef) -> AnyRule:
    """The Rule (or OrgRule, for facts) record of a checked rule definition."""
    checker = Checker(definition)
    doc = page(definition)
    severity: Any = definition.severity
    if definition.target == "facts":
        return OrgRule(definition.code, definition.name, severity, definition.tags, doc,
                       _facts_check(checker), min_repos=1)
    check = (_resource_check(checker) if definition.target == "resource"
             else _document_check(checker, manifest=definition.target == "manifest"))
    return Rule(definition.code, definition.name, severity, definition.tags, doc, check)


def page(definition: RuleDef) -> str:
    """The rule's page: its doc, with Example / Use instead from its examples when it has none."""
    import yaml

    doc = definition.doc.strip()
    for heading, expect in (("## Example", "fail"), ("## Use instead", "pass")):
        example = next((e for e in definition.examples if e.expect == expect), None)
        if heading not in doc and example is not None:
            text = yaml.safe_dump(plain(example.value), sort_keys=False).strip()
            doc += f"\n\n{heading}\n```yaml\n{text}\n```"
    source = f"Defined in `{definition.file}` (line {definition.line})."
    return f"{doc}\n\n{source}\n"

