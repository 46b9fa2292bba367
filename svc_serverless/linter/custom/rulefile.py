"""Rule files: an organisation's (or a repo's) declarative rules, read and checked once.

A rule file is YAML holding one rule or a list of rules. It is data, read with svc's bounded
loader and never executed. Every problem is one SvcError `FILE:LINE: what is wrong and how to
fix it`, raised before any repo is linted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads, position
from svc_serverless.linter.custom.locate import locate
from svc_serverless.linter.custom.schema import SchemaProblem, compile_schema

MAX_RULE_FILE_BYTES = 1024 * 1024
MAX_RULE_FILES = 1000
MAX_RULES = 2000  # per run: each one is a schema validated over every repo
TARGETS = ("resource", "template", "manifest", "facts")
PLACEHOLDERS = ("resource", "type", "path", "value", "error", "repo", "service")
TEST_SUFFIXES = (".tests.yaml", ".tests.yml")

RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "name", "applies-to", "doc"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": 60},
        "severity": {"enum": ["error", "warning", "info"]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20},
        "applies-to": {"type": ["string", "object"]},
        "require": {"type": ["object", "boolean"]},
        "forbid": {"type": ["object", "boolean"]},
        "message": {"type": "string", "minLength": 1, "maxLength": 500},
        "doc": {"type": "string", "minLength": 1, "maxLength": 20000},
        "examples": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"pass": {"type": "array"}, "fail": {"type": "array"}},
        },
    },
}
_CODE = re.compile(r"^([A-Z]+)([0-9]+)$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_RESOURCE_TYPE = re.compile(r"^[A-Za-z0-9:*?]+$")


@dataclass(frozen=True)
class Example:
    """One pass or fail example of a rule, as written (marked values), and where."""

    expect: str  # "pass" or "fail"
    index: int
    value: Any
    file: str
    line: int


@dataclass(frozen=True)
class RuleDef:
    """A declarative rule, checked, before it is compiled into a Rule or OrgRule."""

    code: str
    name: str
    severity: str
    tags: tuple[str, ...]
    target: str  # one of TARGETS
    resource_types: tuple[str, ...]
    require: Any  # a JSON Schema, or None
    forbid: Any
    message: str
    doc: str
    examples: tuple[Example, ...]
    file: str  # as shown in messages
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def rule_files(path: Path, shown: str) -> list[tuple[Path, str]]:
    """A rule file, or the rule files directly in a folder (sorted; test files left out)."""
    if path.is_dir():
        found = sorted(
            p for p in path.iterdir()
            if p.suffix in (".yaml", ".yml") and not p.name.endswith(TEST_SUFFIXES) and p.is_file()
        )
        if len(found) > MAX_RULE_FILES:
            raise SvcError(f"{shown} holds more than {MAX_RULE_FILES} rule files: split it")
        if not found:
            raise SvcError(f"{shown} holds no rule files (*.yaml): check the rules path")
        return [(p, f"{shown.rstrip('/')}/{p.name}") for p in found]
    if not path.is_file():
        raise SvcError(f"rule file {shown} does not exist: check the rules path (it is relative to "
                       "the policy file)")
    return [(path, shown)]


def read_yaml(path: Path, shown: str) -> Any:
    """A rule or test file's document, bounded; SvcError naming the file (and line)."""
    try:
        if path.stat().st_size > MAX_RULE_FILE_BYTES:
            raise SvcError(f"{shown} is larger than {MAX_RULE_FILE_BYTES // 1024} KiB: split it")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SvcError(f"cannot read rule file {shown}: {err.__class__.__name__}") from None
    try:
        return loads(text)
    except TemplateSyntaxError as err:
        raise SvcError(f"{shown}:{err.line}: not valid YAML: {err.message}") from None


def read_rules(path: Path, shown: str) -> list[RuleDef]:
    """Every rule of one rule file, checked one by one."""
    data = read_yaml(path, shown)
    entries = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
    if not entries:
        raise SvcError(f"{shown}:1: a rule file holds a rule (a mapping with code, name, "
                       "applies-to, doc and require or forbid) or a list of rules")
    return [parse_rule(entry, shown) for entry in entries]


def parse_rule(entry: Any, file: str) -> RuleDef:
    import jsonschema

    line = position(entry)[0] or 1
    if not isinstance(entry, dict):
        raise SvcError(f"{file}:{line}: a rule is a mapping with code, name, applies-to, doc and "
                       "require or forbid")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(RULE_SCHEMA).iter_errors(entry))
    if error is not None:
        at, _, _ = locate(entry, tuple(error.absolute_path), missing=error.validator == "required")
        where = "/".join(str(p) for p in error.absolute_path) or "the rule"
        raise SvcError(f"{file}:{at or line}: invalid rule at {where}: {_short(error.message)}; "
                       "see the README's custom rules section for the format")
    code = str(entry["code"])
    _check_code(code, file, position(entry["code"])[0] or line)
    target, types = _target(entry["applies-to"], file, line)
    if "require" not in entry and "forbid" not in entry:
        raise SvcError(f"{file}:{line}: rule {code} has neither require nor forbid: give the "
                       "JSON Schema the target must satisfy (require) or must not match (forbid)")
    for key in ("require", "forbid"):
        if key in entry:
            _check_schema(entry, key, file, code)
    message = str(entry.get("message") or f"{{resource}} breaks {entry['name']}: {{error}}")
    _check_message(message, file, position(entry.get("message"))[0] or line, code)
    doc = str(entry["doc"])
    if "## What it does" not in doc or "## Why is this bad?" not in doc:
        raise SvcError(f"{file}:{position(entry['doc'])[0] or line}: the doc of rule {code} needs "
                       "the sections '## What it does' and '## Why is this bad?' (as built-in rules)")
    return RuleDef(
        code=code, name=str(entry["name"]), severity=str(entry.get("severity", "error")),
        tags=tuple(str(t) for t in entry.get("tags", ("custom",))),
        target=target, resource_types=types,
        require=entry.get("require"), forbid=entry.get("forbid"),
        message=message, doc=doc, examples=tuple(_examples(entry.get("examples"), file)),
        file=file, line=line,
    )


def _check_code(code: str, file: str, line: int) -> None:
    from svc_serverless.linter.custom.codes import refuse_code

    if _CODE.match(code) is None:
        raise SvcError(f"{file}:{line}: rule code {code!r} must be capital letters then digits "
                       "(e.g. ACME001)")
    refuse_code(code, f"{file}:{line}")


def _target(value: Any, file: str, line: int) -> tuple[str, tuple[str, ...]]:
    at = position(value)[0] or line
    if isinstance(value, str) and value in TARGETS[1:]:
        return value, ()
    if isinstance(value, dict) and list(value) == ["resource-types"]:
        types = value["resource-types"]
        if (isinstance(types, list) and types
                and all(isinstance(t, str) and _RESOURCE_TYPE.match(t) for t in types)):
            return "resource", tuple(str(t) for t in types)
    raise SvcError(f"{file}:{at}: unknown target {_short(str(value))!r} for applies-to: use "
                   "template, manifest, facts or {resource-types: [AWS::DynamoDB::Table, ...]}")


def _check_schema(entry: Any, key: str, file: str, code: str) -> None:
    schema = entry[key]
    try:
        compile_schema(schema)
    except SchemaProblem as err:
        at, _, _ = locate(schema, err.path, missing=False)
        line = at or position(next(k for k in entry if k == key))[0]
        raise SvcError(f"{file}:{line}: {key} of rule {code}: {err.message}") from None


def _check_message(message: str, file: str, line: int, code: str) -> None:
    unescaped = message.replace("{{", "").replace("}}", "")
    for name in _PLACEHOLDER.findall(unescaped):
        if name not in PLACEHOLDERS:
            raise SvcError(f"{file}:{line}: message of rule {code} has unknown placeholder "
                           f"{{{name}}}: use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    if "{" in _PLACEHOLDER.sub("", unescaped) or "}" in _PLACEHOLDER.sub("", unescaped):
        raise SvcError(f"{file}:{line}: message of rule {code} has an unmatched brace: write "
                       "{{ and }} for literal braces")


def _examples(value: Any, file: str) -> Iterator[Example]:
    if not isinstance(value, dict):
        return
    for expect in ("pass", "fail"):
        yield from examples_of(value.get(expect) or [], expect, file)


def examples_of(items: Iterable[Any], expect: str, file: str) -> Iterator[Example]:
    for index, item in enumerate(items):
        yield Example(expect, index, item, file, position(item)[0])


def fill(message: str, values: dict[str, str]) -> str:
    """The rule's message with its placeholders filled (never str.format: no attribute access)."""
    def one(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    parts = message.split("{{")
    return "{".join(
        "}".join(_PLACEHOLDER.sub(one, piece) for piece in part.split("}}")) for part in parts
    )


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
