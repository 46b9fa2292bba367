"""Which codes an organisation's rules may take: never one that could weaken svc's own.

A custom or plugin rule's code must not be a built-in code, start with a built-in family (SN100
would be ignored by `--ignore SN`), nor be a prefix of one (`--ignore S` would cover SVC); and
never start with SVC, whose rules always run at error and cannot be turned off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from svc_serverless.errors import SvcError
from svc_serverless.linter.config import ENGINE_PREFIX
from svc_serverless.linter.rule import AnyRule

_LETTERS = re.compile(r"^[A-Z]*")


def builtin_families() -> frozenset[str]:
    from svc_serverless.rules import ALL_RULES

    return frozenset({ENGINE_PREFIX} | {family(rule.code) for rule in ALL_RULES})


def family(code: str) -> str:
    match = _LETTERS.match(code)
    return match.group(0) if match else ""


def refuse_code(code: str, where: str) -> None:
    """SvcError when `code` collides with svc's own codes or families."""
    letters = family(code)
    if not letters:
        raise SvcError(f"{where}: rule code {code!r} must start with capital letters (e.g. ACME001)")
    for builtin in sorted(builtin_families()):
        if letters.startswith(builtin) or builtin.startswith(letters):
            raise SvcError(
                f"{where}: rule code {code} collides with svc's built-in rules ({builtin}*): "
                "give your organisation's rules a prefix of their own, e.g. ACME001"
            )


def refuse_duplicates(rules: Iterable[tuple[AnyRule, str]]) -> None:
    """SvcError when two rules share a code or a name (`where` says where each came from)."""
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for rule, where in rules:
        for seen, key, what in ((codes, rule.code, "code"), (names, rule.name, "name")):
            if key in seen:
                raise SvcError(f"{where}: rule {what} {key} is already used by {seen[key]}: give "
                               "each rule its own code and name")
            seen[key] = where
