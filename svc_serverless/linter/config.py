"""The organisation policy file: which rules run, at what severity, and the layout conventions.

Precedence, lowest first (each layer overrides the one before it):

1. built-in defaults (every rule, at its default severity);
2. the organisation policy given with `--config FILE`;
3. the repo's own `.svc/policy.yaml`;
4. command-line `--select` / `--ignore`.

Except: a rule the organisation policy marks `mandatory` always runs at the severity the
organisation gave it; a repo policy cannot ignore it or lower it, and no suppression hides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError

REPO_POLICY_PATH = ".svc/policy.yaml"

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
                # `svc new`'s default template: a folder (relative to this file) or git URL[@REF].
                "template": {"type": "string", "minLength": 1, "maxLength": 2000},
            },
        },
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

    def enabled(self, code: str) -> bool:
        if matches(code, self.mandatory):
            return True
        if self.select and not matches(code, self.select):
            return False
        return not matches(code, self.ignore)

    def severity_of(self, code: str, default: str) -> str:
        """The most specific severity override (longest matching prefix) wins."""
        best = ""
        for prefix in self.severity:
            if code.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.severity[best] if best else default

    def is_mandatory(self, code: str) -> bool:
        return matches(code, self.mandatory)


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
    return dict(data)


def read_policy_file(path: Path) -> dict[str, Any]:
    """Read and validate a policy file; any problem is a one-line SvcError.

    It is read with the template loader, which refuses alias bombs and deep nesting: a repo's
    own policy file is as untrusted as its template.
    """
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SvcError(f"cannot read policy file {path}: {err.__class__.__name__}") from None
    try:
        data = loads(text)
    except TemplateSyntaxError as err:
        raise SvcError(f"{path}: policy is not valid YAML (line {err.line}: {err.message})") from None
    return _validate(data, str(path))


def apply(policy: Policy, data: Mapping[str, Any], *, organisation: bool) -> Policy:
    """Layer a policy file's settings over `policy`.

    `organisation` is True for the `--config` file: only it may set `mandatory`, and a repo
    layer can neither ignore nor change the severity of a mandatory rule.
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
    return Policy(
        select=select or policy.select,
        ignore=_unselected(policy.ignore, select) + ignore,
        mandatory=tuple(data.get("mandatory", ())) + protected if organisation else protected,
        severity=severity,
        layout=layout,
        max_minor_versions_behind=scaffold.get(
            "max_minor_versions_behind", policy.max_minor_versions_behind
        ),
    )


def with_cli(policy: Policy, select: tuple[str, ...], ignore: tuple[str, ...]) -> Policy:
    """Command-line --select/--ignore override the files (mandatory rules still run)."""
    return replace(
        policy,
        select=select or policy.select,
        ignore=_unselected(policy.ignore, select) + ignore,
    )


def policy_for_repo(root: Path, organisation: Policy) -> Policy:
    """The organisation policy with the repo's own `.svc/policy.yaml` layered on top."""
    path = root / REPO_POLICY_PATH
    if (root / ".svc").is_symlink() or path.is_symlink():
        # Never follow a link out of a scanned repo (it could point at any file on the runner).
        raise SvcError(f"{REPO_POLICY_PATH} is a symbolic link: svc does not follow links; "
                       "make it a regular file")
    if not path.is_file():
        return organisation
    return apply(organisation, read_policy_file(path), organisation=False)
