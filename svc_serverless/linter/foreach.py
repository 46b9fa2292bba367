"""Expand `Fn::ForEach` loops (the AWS::LanguageExtensions transform) into what they generate.

Rules look at resources, outputs and properties; a loop is none of those until CloudFormation
expands it, so without this step everything inside a loop would go unchecked. The expansion
follows the transform: each item of the collection makes one copy of the loop's fragment, with
`${Identifier}` and `&{Identifier}` (the item without its non-alphanumeric characters) replaced
in every key, `!Ref Identifier` replaced by the item, and `${Identifier}`/`&{Identifier}`
replaced in `!Sub` strings and `!GetAtt` names. Plain string values are left as written, as
CloudFormation leaves them. Loops nest, and may appear wherever CloudFormation takes them
(Resources, Outputs, Conditions, resource properties); they are expanded wherever they are,
with or without the transform declared (a template that uses them without it does not deploy).

The copies keep the line and column of the fragment they came from, so a finding in the third
generated queue points at the loop body, and its message names the generated logical id.

What the template alone cannot tell:

- a collection given as `!Ref Param` uses the parameter's `Default` (split on commas); without
  one it is expanded once, with the identifier standing for the parameter itself: `!Ref
  Identifier` becomes `!Ref Param`, `${Identifier}` in a `!Sub` becomes `${Param}`, and keys
  spell the parameter's name;
- an item given as another function (`!FindInMap`, `!Select`) becomes that function: `!Ref
  Identifier` is replaced by a copy of it, and a `!Sub` that spells `${Identifier}` gets it as a
  variable (`!Sub ["...${Identifier}...", {Identifier: <the item>}]`).

Bounded: loops nest at most MAX_NESTING deep and the whole expansion creates at most
MAX_VALUES values, so a hostile collection cannot exhaust the run. A loop that breaks these
bounds, is malformed, or generates a key twice is refused as TemplateSyntaxError at the loop
(finding SVC002): a template svc cannot expand is never passed unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from svc_serverless.linter.cfnyaml import (
    MarkedList,
    MarkedStr,
    TemplateSyntaxError,
    position,
)

PREFIX = "Fn::ForEach::"
MAX_NESTING = 5
# CloudFormation refuses a processed template over 1 MB or 500 resources, far below this.
MAX_VALUES = 50_000
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


@dataclass(frozen=True)
class _Binding:
    """What one item of a collection means for the identifier.

    `text` is the item as a string (None when it is a function the template cannot resolve),
    `key` what it spells in a key, `node` what replaces `!Ref Identifier`.
    """

    text: str | None
    key: str
    node: Any


def has_loops(data: Any) -> bool:
    """Whether any mapping of the document has an `Fn::ForEach::` key (cheap pre-check)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and key.startswith(PREFIX):
                    return True
                stack.append(child)
        elif isinstance(value, list):
            stack.extend(value)
    return False


def expand_loops(data: Any) -> Any:
    """The document with every `Fn::ForEach` expanded; `data` itself when it has none.

    Containers are copied only where a loop changes something, and every copy is of the same
    class as its original (marked values stay marked, plain ones plain).
    """
    if not has_loops(data):
        return data
    parameters = data.get("Parameters") if isinstance(data, dict) else None
    return _Expander(parameters if isinstance(parameters, dict) else {}).value(data, {}, 0)


def _like(original: Any, value: Any) -> Any:
    """`value` carrying the position of `original` when both can hold one."""
    line, col = position(original)
    if hasattr(original, "line") or isinstance(value, MarkedStr):
        try:
            value.line, value.col = line, col
        except AttributeError:  # a plain built-in: nothing to mark
            pass
    return value


def _new_like(original: dict[Any, Any] | list[Any]) -> Any:
    return _like(original, type(original)())


def _key_text(text: str, env: dict[str, _Binding]) -> str:
    for name, binding in env.items():
        text = text.replace("${" + name + "}", binding.key)
        text = text.replace("&{" + name + "}", _NOT_ALNUM.sub("", binding.key))
    return text


class _Expander:
    def __init__(self, parameters: dict[Any, Any]) -> None:
        self.parameters = parameters
        self.budget = MAX_VALUES
        self.loops: list[object] = []  # the keys of the loops being expanded, outermost first

    def _spend(self, at: object) -> None:
        self.budget -= 1
        if self.budget < 0:  # reported at the outermost loop: the one the author must shrink
            raise TemplateSyntaxError(f"Fn::ForEach expands to more than {MAX_VALUES} values",
                                      *position(self.loops[0] if self.loops else at))

    # -- values -----------------------------------------------------------------------------

    def value(self, value: Any, env: dict[str, _Binding], nesting: int) -> Any:
        if isinstance(value, dict):
            return self.mapping(value, env, nesting)
        if isinstance(value, list):
            items = [self.value(item, env, nesting) for item in value]
            if not env and all(new is old for new, old in zip(items, value)):
                return value
            copy = _new_like(value)
            copy.extend(items)
            self._spend(value)
            return copy
        if env:
            self._spend(value)  # shared, not copied (immutable), but counted per copy
        return value

    def mapping(self, value: dict[Any, Any], env: dict[str, _Binding], nesting: int) -> Any:
        if env and len(value) == 1:
            replaced = self._function(value, env, nesting)
            if replaced is not None:
                return replaced
        out = _new_like(value)
        changed = bool(env)
        for key, child in value.items():
            if isinstance(key, str) and key.startswith(PREFIX):
                changed = True
                for new_key, new_child in self.loop(key, child, env, nesting + 1):
                    self._put(out, new_key, new_child)
                continue
            new_key = _like(key, MarkedStr(_key_text(key, env))) if env and isinstance(key, str) \
                else key
            new_child = self.value(child, env, nesting)
            changed = changed or new_child is not child
            self._put(out, new_key, new_child)
        if not changed:
            return value
        self._spend(value)
        return out

    @staticmethod
    def _put(out: dict[Any, Any], key: Any, value: Any) -> None:
        if key in out:
            raise TemplateSyntaxError(f"Fn::ForEach generates the key {str(key)!r} twice",
                                      *position(key))
        out[key] = value

    def _function(self, value: dict[Any, Any], env: dict[str, _Binding], nesting: int) -> Any:
        """`Ref`, `Fn::Sub` and `Fn::GetAtt` with the identifiers replaced; None for others."""
        (name, arg), = value.items()
        if name == "Ref" and isinstance(arg, str) and arg in env:
            return self._copy(env[arg].node, value)
        if name == "Fn::Sub":
            return self._sub(value, arg, env, nesting)
        if name == "Fn::GetAtt" and isinstance(arg, (str, list)):
            parts = [_like(p, MarkedStr(_key_text(p, env))) if isinstance(p, str)
                     else self.value(p, env, nesting) for p in (arg if isinstance(arg, list) else [arg])]
            new_arg: Any = parts[0] if isinstance(arg, str) else _like(arg, type(arg)(parts))
            out = _new_like(value)
            out[name] = new_arg
            self._spend(value)
            return out
        return None

    def _sub(self, value: dict[Any, Any], arg: Any, env: dict[str, _Binding],
             nesting: int) -> Any:
        text, variables = (arg, None) if isinstance(arg, str) else (
            (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2
            and isinstance(arg[0], str) else (None, None))
        if text is None:
            return None
        added: dict[str, Any] = {}
        for name, binding in env.items():
            if binding.text is not None:
                text = text.replace("${" + name + "}", binding.text)
                text = text.replace("&{" + name + "}", _NOT_ALNUM.sub("", binding.text))
            elif "${" + name + "}" in text or "&{" + name + "}" in text:
                text = text.replace("&{" + name + "}", "${" + name + "}")
                added[name] = self._copy(binding.node, value)
        new_text = _like(arg if isinstance(arg, str) else arg[0], MarkedStr(text))
        out = _new_like(value)
        self._spend(value)
        if variables is None and not added:
            out["Fn::Sub"] = new_text
            return out
        new_variables = self.value(variables, env, nesting) if isinstance(variables, dict) else None
        merged = _new_like(variables) if isinstance(variables, dict) else _like(value, type(value)())
        if isinstance(new_variables, dict):
            merged.update(new_variables)
        for name, node in added.items():
            merged.setdefault(_like(value, MarkedStr(name)), node)
        pair = _new_like(arg) if isinstance(arg, list) else _like(value, _list_like(value))
        pair.extend([new_text, merged])
        out["Fn::Sub"] = pair
        return out

    def _copy(self, node: Any, at: object) -> Any:
        """A copy of `node` reported at `at` (the `!Ref Identifier` it replaces)."""
        self._spend(at)
        line, col = position(at)
        if isinstance(node, str):
            copy: Any = MarkedStr(node)
        elif isinstance(node, dict):
            copy = _like(at, type(at)()) if isinstance(at, dict) else {}
            for key, child in node.items():
                copy[_like(at, MarkedStr(key)) if isinstance(key, str) else key] = \
                    self._copy(child, at)
            return copy
        elif isinstance(node, list):
            copy = _list_like(at)
            copy.extend(self._copy(child, at) for child in node)
        else:
            return node
        if hasattr(at, "line"):
            copy.line, copy.col = line, col
        return copy

    # -- loops ------------------------------------------------------------------------------

    def loop(self, key: str, spec: Any, env: dict[str, _Binding],
             nesting: int) -> Iterator[tuple[Any, Any]]:
        if nesting > MAX_NESTING:
            raise TemplateSyntaxError(f"Fn::ForEach loops nest deeper than {MAX_NESTING} levels",
                                      *position(key))
        if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str)
                and isinstance(spec[2], dict)):
            raise TemplateSyntaxError(
                f"{key} must be a list of an identifier, a collection and a mapping",
                *position(key))
        identifier = str(spec[0])
        self.loops.append(key)
        try:
            for binding in self.collection(spec[1], env, key):
                yield from self.mapping(spec[2], {**env, identifier: binding}, nesting).items()
        finally:
            self.loops.pop()

    def collection(self, value: Any, env: dict[str, _Binding], at: object) -> list[_Binding]:
        if isinstance(value, list):
            return [self.item(item, index, env) for index, item in enumerate(value)]
        reference = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
        if isinstance(reference, str) and reference in env:
            return [env[reference]]
        if isinstance(reference, str):
            return self._parameter_items(reference, value)
        if isinstance(value, dict):  # another function: one iteration standing for its items
            return [_Binding(None, "Item", value)]
        raise TemplateSyntaxError("Fn::ForEach collection must be a list or a !Ref",
                                  *position(at))

    def _parameter_items(self, name: str, ref: Any) -> list[_Binding]:
        declared = self.parameters.get(name)
        default = declared.get("Default") if isinstance(declared, dict) else None
        if isinstance(default, str):
            items = [_like(default, MarkedStr(part.strip())) for part in default.split(",")]
            return [_Binding(str(i), str(i), i) for i in items]
        if isinstance(default, list):
            return [self.item(item, index, {}) for index, item in enumerate(default)]
        return [_Binding(None, name, ref)]

    def item(self, item: Any, index: int, env: dict[str, _Binding]) -> _Binding:
        if isinstance(item, bool):
            text = "true" if item else "false"
            return _Binding(text, text, _like(item, MarkedStr(text)))
        if isinstance(item, (str, int, float)):
            text = str(item)
            return _Binding(text, text, item if isinstance(item, str) else MarkedStr(text))
        reference = item.get("Ref") if isinstance(item, dict) and len(item) == 1 else None
        if isinstance(reference, str) and reference in env:
            return env[reference]
        if isinstance(reference, str):
            declared = self.parameters.get(reference)
            default = declared.get("Default") if isinstance(declared, dict) else None
            if isinstance(default, (str, int)) and not isinstance(default, bool):
                text = str(default)
                return _Binding(text, text, _like(item, MarkedStr(text)))
            return _Binding(None, reference, item)
        return _Binding(None, f"Item{index + 1}", item)


def _list_like(original: object) -> Any:
    """An empty list, marked like `original` when that is marked."""
    return _like(original, MarkedList()) if hasattr(original, "line") else []
