"""The organisation policy file: which rules run, at what severity, and the layout conventions.

Precedence, lowest first (each layer overrides the one before it):

1. built-in defaults (every rule, at its default severity);
2. the organisation policy given with `--config FILE`;
3. the repo's own `.svc/policy.yaml`;
4. command-line `--select` / `--ignore`.

Except: a rule the organisation policy marks `mandatory` always runs at the severity the
organisation gave it; a repo policy cannot ignore it or lower it, and no suppression hides it.
And svc's engine rules (every code starting with SVC: a rule or stage crashed, the template
cannot be read, a suppression or the repo policy is invalid) always run at error, whatever any
layer says: they are how a repo that svc could not fully check fails the gate. A policy file
that tries to ignore or lower them is invalid (SvcError): the organisation policy is a
configuration error, a repo policy is finding SVC005 and is not applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.custom.spec import RuleSetSpec

REPO_POLICY_PATH = ".svc/policy.yaml"
ENGINE_PREFIX = "SVC"  # the engine's own rules: never ignored, lowered, suppressed or baselined

POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "svc policy",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "select": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]+[0-9]*$"}},
        "ignore": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]+[0-9]*$"}},
        "mandatory": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]+[0-9]*$"}},
        "severity": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Z]+[0-9]*$"},
            "additionalProperties": {"enum": ["error", "warning", "info"]},
        },
        "layout": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "functions": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                "workflows": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                "layers": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                "required_files": {"type": "array", "items": {"type": "string"}},
            },
        },
        "scaffold": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_minor_versions_behind": {"type": "integer", "minimum": 0},
                # What generated repos install svc with; `svc new` checks its syntax.
                "svc-requirement": {"type": "string", "minLength": 1, "maxLength": 300},
                # `svc new`'s default template: a folder (relative to this file) or git URL[@REF].
                "template": {"type": "string", "minLength": 1, "maxLength": 2000},
            },
        },
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "resource-warn-share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            },
        },
        # An organisation's own rules, options and waivers: their shape is checked in detail,
        # with the file's line, by linter/custom/ (it knows every rule's options schema).
        "rules": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "plugins": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "options": {"type": "object", "additionalProperties": {"type": "object"}},
        "waivers": {"type": "array", "items": {"type": "object"}},
    },
}


@dataclass(frozen=True)
class Layout:
    """Where a service keeps each kind of resource, and the files every repo must have."""

    functions: str = "functions"
    workflows: str = "workflows"
    layers: str = "layers"
    required_files: tuple[str, ...] = ("README.md", "catalog-info.yaml", "CODEOWNERS")


@dataclass(frozen=True)
class Policy:
    """The effective policy for one repo (see the module docstring for precedence)."""

    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    mandatory: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)  # a dict: it must pickle to workers
    layout: Layout = field(default_factory=Layout)
    max_minor_versions_behind: int = 2
    svc_requirement: str | None = None  # `svc new`: None means svc-serverless==<its version>
    # LAY011 warns once the estimated resource count reaches this share of CloudFormation's quota.
    resource_warn_share: float = 0.8
    # Rule options by code, each a plain JSON-like dict (organisation's, then the repo's keys).
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The repo policy's own rule files, relative to its .svc/ folder (linter/custom/local.py).
    rule_files: tuple[str, ...] = ()
    # The organisation's rule files and plugins (linter/custom/): part of every cache key.
    custom: RuleSetSpec = field(default_factory=RuleSetSpec)

    def option(self, code: str, key: str, default: Any = None) -> Any:
        """One option of a rule, as the policy layers set it, else `default`."""
        return self.options.get(code, {}).get(key, default)

    def enabled(self, code: str) -> bool:
        if is_engine_rule(code) or matches(code, self.mandatory):
            return True
        if self.select and not matches(code, self.select):
            return False
        return not matches(code, self.ignore)

    def severity_of(self, code: str, default: str) -> str:
        """The most specific override (longest matching prefix) wins; engine rules stay at error."""
        if is_engine_rule(code):
            return "error"
        best = ""
        for prefix in self.severity:
            if code.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.severity[best] if best else default

    def is_mandatory(self, code: str) -> bool:
        return matches(code, self.mandatory)


def is_engine_rule(code: str) -> bool:
    """Whether `code` is one of svc's engine rules, which always run at error."""
    return code.startswith(ENGINE_PREFIX)


def engine_override(setting: str, selector: str, verb: str = "turn off") -> str:
    """Why ignoring or lowering `selector` is refused, in one clause that names the way out.

    `selector` covers an engine rule (SVC002, SVC) or is a prefix that covers them all (S).
    """
    way_out = ("remove it" if selector.startswith(ENGINE_PREFIX)
               else f"use codes that do not cover {ENGINE_PREFIX} (e.g. SN rather than S)")
    return (f"{setting} would {verb} an engine rule ({ENGINE_PREFIX}*), and those always run at "
            f"error so that a repo svc could not fully check fails the gate: {way_out}")


def touches_engine(selector: str) -> bool:
    """Whether a code or prefix covers an engine rule: SVC002, SVC, and S all do."""
    return selector.startswith(ENGINE_PREFIX) or ENGINE_PREFIX.startswith(selector)


def matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def overlaps(prefix: str, prefixes: tuple[str, ...]) -> bool:
    """Whether `prefix` covers or is covered by any of `prefixes` (KMS and KMS002 overlap)."""
    return any(prefix.startswith(p) or p.startswith(prefix) for p in prefixes)


def _unselected(ignore: tuple[str, ...], select: tuple[str, ...]) -> tuple[str, ...]:
    """Earlier ignores that a later layer's `select` names at least as specifically are dropped.

    The more specific selector wins: selecting KMS002 runs it even if an earlier layer ignored
    KMS or KMS002, while selecting KMS keeps an earlier ignore of KMS002.
    """
    return tuple(i for i in ignore if not any(s.startswith(i) for s in select))


def _validate(data: Any, source: str) -> dict[str, Any]:
    if data is None:
        return {}
    import jsonschema  # lazy: only runs when a policy file exists

    validator = jsonschema.Draft202012Validator(POLICY_SCHEMA)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
        raise SvcError(
            f"{source}: invalid policy at {where}: {message}; "
            "see `svc lint --help` for the policy format"
        )
    for code in data.get("ignore", ()):
        if touches_engine(code):
            raise SvcError(f"{source}: {engine_override(f'ignore: [{code}]', code)}")
    for code, level in data.get("severity", {}).items():
        if touches_engine(code) and level != "error":
            setting = f"severity: {{{code}: {level}}}"
            raise SvcError(f"{source}: {engine_override(setting, code, 'lower')}")
    return dict(data)


def read_policy_file(
    path: Path, shown: str | None = None,
    check: Callable[[dict[str, Any], str], None] | None = None,
) -> dict[str, Any]:
    """Read and validate the organisation policy file (`--config`); any problem is a one-line
    SvcError naming it as `shown`. Never read past the size limit."""
    from svc_serverless.linter.files import MAX_POLICY_BYTES, Unreadable, decode_text, read_file

    source = shown or str(path)
    try:
        text = decode_text(read_file(path, MAX_POLICY_BYTES, regular_only=False))
    except Unreadable as err:
        raise SvcError(f"cannot read policy file {source}: it {err.reason}") from None
    return parse_policy(text, source, check)


def parse_policy(
    text: str, source: str, check: Callable[[dict[str, Any], str], None] | None = None,
) -> dict[str, Any]:
    """A policy file's settings, validated; SvcError naming `source` if it is not a policy.

    It is read with the template loader, which refuses alias bombs, deep nesting, huge numbers
    and odd YAML tags: a repo's own policy file is as untrusted as its template.
    """
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads

    try:
        data = loads(text)
    except TemplateSyntaxError as err:
        raise SvcError(f"{source}: policy is not valid YAML (line {err.line}: {err.message})") from None
    validated = _validate(data, source)
    if check is not None:  # what needs the rule registry: options, waivers (linter/custom/)
        check(validated, source)
    return validated


def apply(policy: Policy, data: Mapping[str, Any], *, organisation: bool) -> Policy:
    """Layer a policy file's settings over `policy`.

    `organisation` is True for the `--config` file: only it may set `mandatory` (a repo file
    that tries is refused before this, custom/local.py: SVC005), and a repo layer can neither
    ignore nor change the severity of a mandatory rule.
    """
    protected = policy.mandatory
    # A repo may not touch a mandatory rule, neither by its code nor through a prefix (KMS).
    ignore = tuple(c for c in data.get("ignore", ()) if organisation or not overlaps(c, protected))
    severity = dict(policy.severity)
    for code, level in data.get("severity", {}).items():
        if organisation or not overlaps(code, protected):
            severity[code] = level
    select = tuple(data.get("select", ()))
    layout_data = data.get("layout", {})
    changes: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in layout_data.items()}
    layout = replace(policy.layout, **changes)
    scaffold = data.get("scaffold", {})
    from svc_serverless.linter.cfnyaml import plain  # lazy: no YAML import without a policy

    options = {code: dict(values) for code, values in policy.options.items()}
    for code, values in data.get("options", {}).items():
        # A repo may not loosen a mandatory rule through its options (an allowlist) either.
        if organisation or not overlaps(code, protected):
            options[code] = {**options.get(code, {}), **plain(values)}
    return Policy(
        select=select or policy.select,
        ignore=_unselected(policy.ignore, select) + ignore,
        mandatory=tuple(data.get("mandatory", ())) + protected if organisation else protected,
        severity=severity,
        layout=layout,
        max_minor_versions_behind=scaffold.get(
            "max_minor_versions_behind", policy.max_minor_versions_behind
        ),
        svc_requirement=scaffold.get("svc-requirement", policy.svc_requirement),
        resource_warn_share=data.get("limits", {}).get(
            "resource-warn-share", policy.resource_warn_share
        ),
        options=options,
        rule_files=policy.rule_files if organisation else tuple(data.get("rules", ())),
        custom=policy.custom,
    )



def with_cli(policy: Policy, select: tuple[str, ...], ignore: tuple[str, ...]) -> Policy:
    """Command-line --select/--ignore override the files (mandatory rules still run)."""
    return replace(
        policy,
        select=select or policy.select,
        ignore=_unselected(policy.ignore, select) + ignore,
    )


def policy_for_repo(
    root: Path, organisation: Policy,
    check: Callable[[dict[str, Any], str], None] | None = None,
) -> Policy:
    """The organisation policy with the repo's own `.svc/policy.yaml` layered on top.

    Read without following any link (`.svc` or the file itself could point at any file on the
    runner), never a FIFO or device, never past the size limit.
    """
    from svc_serverless.linter.files import MAX_POLICY_BYTES, Unreadable, decode_text, read_in_repo

    try:
        text = decode_text(read_in_repo(root, REPO_POLICY_PATH, MAX_POLICY_BYTES))
    except Unreadable as err:
        if err.missing:
            return organisation
        raise SvcError(f"{REPO_POLICY_PATH} {err.reason}") from None
    return apply(organisation, parse_policy(text, REPO_POLICY_PATH, check), organisation=False)
