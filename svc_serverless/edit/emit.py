"""New YAML text for values svc adds to a user's file, in the file's own style.

CloudFormation functions are written with their short tags (`!Ref Key`, `!GetAtt Key.Arn`),
strings are plain unless YAML would read them as something else, and block mappings and lists
follow the indentation the file already uses (`Style`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_PLAIN = re.compile(r"^[A-Za-z0-9_./${}()+=@-][A-Za-z0-9_./:${}()+=@ -]*$")
SHORT_TAGS = frozenset({
    "Ref", "Condition", "Fn::Sub", "Fn::GetAtt", "Fn::If", "Fn::ImportValue", "Fn::Select",
    "Fn::Join", "Fn::FindInMap", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Base64",
    "Fn::Cidr", "Fn::GetAZs", "Fn::Split", "Fn::Transform",
})


@dataclass(frozen=True)
class Style:
    """How the file indents: `unit` spaces per mapping level, list dashes `dash` spaces in."""

    unit: int = 2
    dash: int = 0


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(short tag, argument) when `value` is one CloudFormation function."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, arg),) = value.items()
        if name in SHORT_TAGS:
            return "!" + name.removeprefix("Fn::"), arg
    return None


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return "'" + text.replace("'", "''") + "'"


def inline(value: Any) -> str:
    """`value` on one line (flow style)."""
    function = intrinsic(value)
    if function is not None:
        tag, arg = function
        if tag == "!GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            arg = ".".join(arg)
        return f"{tag} {inline(arg)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    return scalar(value)


def _is_block(value: Any) -> bool:
    return intrinsic(value) is None and isinstance(value, (dict, list)) and bool(value)


def entry(key: str, value: Any, col: int, style: Style) -> list[str]:
    """The lines of `key: value` as a block mapping entry starting at column `col`."""
    pad = " " * col
    if not _is_block(value):
        return [f"{pad}{scalar(key)}: {inline(value)}"]
    lines = [f"{pad}{scalar(key)}:"]
    if isinstance(value, dict):
        for child, child_value in value.items():
            lines += entry(child, child_value, col + style.unit, style)
    else:
        lines += items(value, col + style.dash, style)
    return lines


def items(values: list[Any], col: int, style: Style) -> list[str]:
    """A block list whose dashes stand at column `col`."""
    lines: list[str] = []
    for value in values:
        if isinstance(value, dict) and _is_block(value):
            body: list[str] = []
            for key, child in value.items():
                body += entry(key, child, col + 2, style)
            lines.append(" " * col + "- " + body[0][col + 2:])
            lines += body[1:]
        elif isinstance(value, list) and value:
            lines.append(" " * col + "- " + inline(value))
        else:
            lines.append(" " * col + "- " + inline(value))
    return lines
