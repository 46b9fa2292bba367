"""Every built-in rule, listed explicitly: one family per folder, one module per rule.

Codes are stable and grouped by family (SVC engine, SN share nothing, KMS own key, LAY layout,
ORG organisation); severity is configuration, not part of the code.
"""

from __future__ import annotations

from svc_serverless.linter.rule import AnyRule, OrgRule, Rule
from svc_serverless.rules import engine, kms, layout, org, share_nothing

REPO_RULES: tuple[Rule, ...] = (
    *engine.RULES,
    *share_nothing.RULES,
    *kms.RULES,
    *layout.RULES,
)
ORG_RULES: tuple[OrgRule, ...] = org.RULES
ALL_RULES: tuple[AnyRule, ...] = (*REPO_RULES, *ORG_RULES)


def find_rule(code_or_name: str) -> AnyRule | None:
    """A rule by code (case-insensitive) or by name."""
    wanted = code_or_name.strip()
    for rule in ALL_RULES:
        if rule.code.lower() == wanted.lower() or rule.name == wanted:
            return rule
    return None
