"""Small readers over the loader's marked values: they never raise, whatever the document holds.

Also the bounded decoding of JSON held in a template string (an EventPattern).
"""

from __future__ import annotations

import json
from typing import Any

from svc_serverless.linter.cfnyaml import MAX_BYTES, MAX_DEPTH, position
from svc_serverless.linter.facts.model import Loc


def loc_of(file: str, node: object) -> Loc:
    line, col = position(node)
    return Loc(file, line, col)


def get_in(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def as_str(value: Any) -> str:
    return str(value) if isinstance(value, str) else ""


def as_items(value: Any) -> list[Any]:
    """A list value as a list; a single value as a one-item list (CFN often allows both)."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def is_intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def key_node(mapping: Any, key: str) -> Any:
    """The key object itself (it carries the key's position); the mapping if the key is absent."""
    if isinstance(mapping, dict):
        for candidate in mapping:
            if candidate == key:
                return candidate
    return mapping


def decode_json(text: str) -> Any:
    """A JSON document held in a template string (an EventPattern), bounded like the loader.

    ValueError, with the reason, if it is larger than the loader's MAX_BYTES, nests deeper than
    its MAX_DEPTH or is not JSON. json.loads recurses once per level: CPython guards that
    recursion, so a string of 100,000 `[` stops at the interpreter's limit as RecursionError,
    which is turned into the same "nests too deep" reason as anything between the two limits.
    """
    too_deep = f"it nests deeper than {MAX_DEPTH} levels"
    if len(text) > MAX_BYTES:
        raise ValueError(f"it is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(too_deep) from None
    except json.JSONDecodeError as err:
        where = f"at line {err.lineno} column {err.colno}"
        raise ValueError(f"it is not JSON ({err.msg} {where})") from None
    if _deeper_than(value, MAX_DEPTH):
        raise ValueError(too_deep)
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and mappings nest more than `limit` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
