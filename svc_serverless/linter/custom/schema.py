"""JSON Schema for rules written by an organisation or a repo: checked once, then safe to run.

A rule's schema is data from a policy, and a repo policy is as hostile as the repo itself, so
the validator svc builds for it can do nothing but compare values:

- no network, no files: a `$ref` must be a JSON pointer into the same schema (`#/$defs/x`) that
  resolves when the rule is loaded; `$id`, `$dynamicRef` and `$recursiveRef` are refused, and
  the validator's registry refuses to retrieve anything (a second lock on the same door);
- `format` is an annotation only (no format checker: some formats' checkers are slow or import
  optional libraries);
- regular expressions run in the `regex` module with a timeout (REGEX_TIMEOUT per match): a
  pattern that backtracks catastrophically (`(a+)+$` on a long string of `a`s) stops the rule on
  that repo with SVC001 instead of hanging the run. `patternProperties` is refused because
  jsonschema matches its keys with the standard `re` module, which has no timeout
  (`propertyNames: {pattern: ...}` says the same thing safely). Patterns are also bounded in
  length (MAX_PATTERN) and must compile when the rule is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from svc_serverless.errors import SvcError

REGEX_TIMEOUT = 0.25  # seconds per match; a sane pattern over a template string takes microseconds
MAX_PATTERN = 1000  # characters
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REFUSED_KEYWORDS = {
    "$id": "a rule schema cannot set $id: refer to its own parts with $ref: '#/$defs/NAME'",
    "$dynamicRef": "$dynamicRef is not supported in a rule schema: use $ref: '#/$defs/NAME'",
    "$recursiveRef": "$recursiveRef is not supported in a rule schema: use $ref: '#/$defs/NAME'",
    "patternProperties": ("patternProperties is not supported in a rule schema (its keys are "
                          "matched without a time limit): use propertyNames: {pattern: ...}"),
}


class PatternTimeout(Exception):
    """A `pattern` took longer than REGEX_TIMEOUT on one value: the rule could not check it."""


class SchemaProblem(Exception):
    """A rule schema svc will not run; `path` is where in the schema (keys and indexes)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def compile_schema(schema: Any) -> Any:
    """A validator for `schema`, after every check above; SchemaProblem if it is refused."""
    import jsonschema

    if not isinstance(schema, (dict, bool)):
        raise SchemaProblem("a schema is a mapping (or true/false)")
    _check_keywords(schema, schema, ())
    try:
        _validator_class().check_schema(schema)
    except jsonschema.exceptions.SchemaError as err:
        raise SchemaProblem(f"not a valid JSON Schema: {_short(err.message)}",
                            tuple(err.absolute_path)) from None
    return _validator_class()(schema, registry=_registry())


def _check_keywords(root: Any, node: Any, path: tuple[str | int, ...]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_keywords(root, item, (*path, index))
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = (*path, key)
        if key in _REFUSED_KEYWORDS:
            raise SchemaProblem(_REFUSED_KEYWORDS[key], where)
        if key == "$schema" and value != DIALECT:
            raise SchemaProblem(f"a rule schema is JSON Schema 2020-12: $schema must be {DIALECT} "
                                "or left out", where)
        if key == "$ref":
            _check_ref(root, value, where)
        if key == "pattern" and isinstance(value, str):
            _check_pattern(value, where)
        # Below `properties`, `$defs` and friends the keys are names, not keywords.
        if key in ("properties", "$defs", "definitions", "dependentSchemas") and isinstance(value, dict):
            for name, sub in value.items():
                _check_keywords(root, sub, (*where, name))
        elif key not in ("enum", "const", "examples", "default"):
            _check_keywords(root, value, where)


def _check_ref(root: Any, ref: Any, where: tuple[str | int, ...]) -> None:
    if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
        raise SchemaProblem(f"$ref {ref!r} points outside the rule: a rule schema may refer only "
                            "to its own parts ('#/$defs/NAME'), never to a file or URL", where)
    node = root
    for part in ref[2:].split("/") if ref != "#" else ():
        name = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and name in node:
            node = node[name]
        elif isinstance(node, list) and name.isdigit() and int(name) < len(node):
            node = node[int(name)]
        else:
            raise SchemaProblem(f"$ref {ref!r} does not resolve inside this schema", where)


def _check_pattern(pattern: str, where: tuple[str | int, ...]) -> None:
    import regex

    if len(pattern) > MAX_PATTERN:
        raise SchemaProblem(f"pattern is longer than {MAX_PATTERN} characters", where)
    try:
        regex.compile(pattern)
    except regex.error as err:
        raise SchemaProblem(f"pattern {_short(pattern)!r} is not a regular expression: {err}",
                            where) from None


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    import regex

    return regex.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string"):
        return
    try:
        found = _compiled(pattern).search(instance, timeout=REGEX_TIMEOUT)
    except TimeoutError:
        raise PatternTimeout(
            f"pattern {_short(pattern)!r} took over {REGEX_TIMEOUT} s on a "
            f"{len(instance)}-character value: simplify it (nested quantifiers such as (a+)+ "
            "backtrack without end)"
        ) from None
    if found is None:
        yield ValidationError(f"{_short(instance)!r} does not match {_short(pattern)!r}")


def _required(validator: Any, required: list[str], instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    """jsonschema's `required`, with the missing name kept on the error (`error.missing`)."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            error = ValidationError(f"{name} is missing")
            error.missing = name  # type: ignore[attr-defined]
            yield error


@lru_cache(maxsize=1)
def _validator_class() -> Any:
    import jsonschema

    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, {"pattern": _pattern, "required": _required},
    )


def _registry() -> Any:
    from referencing import Registry

    return Registry(retrieve=_refuse)  # type: ignore[call-arg]


def _refuse(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(uri)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def require_valid(schema: Any, where: str) -> Any:
    """compile_schema for a schema svc itself ships (an options schema): a bug is an SvcError."""
    try:
        return compile_schema(schema)
    except SchemaProblem as err:  # pragma: no cover - svc's own schemas are tested
        raise SvcError(f"{where}: {err.message}") from None
