"""`svc rules` and `svc rules CODE`: the rule list and each rule's page, from the registry."""

from __future__ import annotations

import sys

from linter.errors import SvcError
from linter.rule import AnyRule


def summary(rule: AnyRule) -> str:
    """The first line of a rule's documentation."""
    return rule.doc.strip().splitlines()[0] if rule.doc.strip() else ""


def rule_list_text() -> str:
    from rules import ALL_RULES

    width = max(len(r.name) for r in ALL_RULES)
    lines = [f"{'CODE':<7} {'NAME':<{width}} {'DEFAULT':<8} SUMMARY"]
    lines += [f"{r.code:<7} {r.name:<{width}} {r.severity:<8} {summary(r)}" for r in ALL_RULES]
    lines.append("")
    lines.append("`svc rules CODE` prints a rule's page; --select/--ignore take codes or prefixes (SN, KMS0).")
    return "\n".join(lines) + "\n"


def rule_page(code_or_name: str) -> str:
    from rules import ALL_RULES, find_rule

    rule = find_rule(code_or_name)
    if rule is None:
        known = ", ".join(r.code for r in ALL_RULES)
        raise SvcError(f"no rule {code_or_name!r}: run `svc rules` to list them ({known})")
    header = f"{rule.code} {rule.name} (default severity: {rule.severity}; tags: {', '.join(rule.tags)})"
    return f"{header}\n\n{rule.doc.strip()}\n"


def print_rule_list() -> None:
    sys.stdout.write(rule_list_text())


def print_rule(code_or_name: str) -> None:
    sys.stdout.write(rule_page(code_or_name))
