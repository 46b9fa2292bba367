"""Template values as a user wrote them: YAML short form, one line, for finding messages.

A message must show `!Sub 's3://${Bucket}/app.zip'` or `!GetAtt Key.Arn`, never the Python
value the loader built (`{'Fn::Sub': ...}`). Strings are quoted the YAML way ('it''s'),
functions use their short tags, mappings and lists are written in flow style, and the result is
cut to `limit` characters.
"""

from __future__ import annotations

import re
from typing import Any

LIMIT = 80
_MAX_DEPTH = 8  # deeper values are written as "..." (the message only needs the outline)
_PLAIN = re.compile(r"^[A-Za-z0-9_./@${}-][A-Za-z0-9_./:@${}-]*$")


def short_form(value: Any, limit: int = LIMIT) -> str:
    """`value` in YAML short form on one line, at most `limit` characters."""
    text = " ".join(_form(value, 0).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _is_function(value: Any) -> bool:
    if not (isinstance(value, dict) and len(value) == 1):
        return False
    name = next(iter(value))
    return name in ("Ref", "Condition") or (isinstance(name, str) and name.startswith("Fn::"))


def _form(value: Any, depth: int) -> str:
    if depth > _MAX_DEPTH:
        return "..."
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if _is_function(value):
        (name, arg), = value.items()
        return _function(str(name), arg, depth)
    if isinstance(value, dict):
        items = ", ".join(f"{_key(k)}: {_form(v, depth + 1)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_form(item, depth + 1) for item in value) + "]"
    return str(value)


def _key(key: Any) -> str:
    text = str(key)
    plain = text and all(c.isalnum() or c in "-_.:/" for c in text)
    return text if plain else _quote(text)


def _function(name: str, arg: Any, depth: int) -> str:
    tag = "!" + name.removeprefix("Fn::")
    if isinstance(arg, str) and name != "Fn::Sub" and _PLAIN.match(arg):
        return f"{tag} {arg}"
    if name == "Fn::GetAtt":
        if isinstance(arg, list) and all(isinstance(p, str) for p in arg):
            return f"{tag} {'.'.join(arg)}"
        if isinstance(arg, str):
            return f"{tag} {arg}"
    return f"{tag} {_form(arg, depth + 1)}"
