"""Every built-in rule, listed explicitly: one family per folder, one module per rule.

Codes are stable and grouped by family (SVC engine, SN share nothing, KMS own key, LAY layout,
ORG organisation); severity is configuration, not part of the code.
"""

from __future__ import annotations

from svc_serverless.linter.rule import AnyRule, OrgRule, Rule
from svc_serverless.rules import engine, kms, layout, org, share_nothing

# SVC006 reports the files the rules before it asked for and could not read: it runs last.
_LAST: tuple[Rule, ...] = (engine.file_unreadable.RULE,)
REPO_RULES: tuple[Rule, ...] = (
    *(rule for rule in engine.RULES if rule not in _LAST),
    *share_nothing.RULES,
    *kms.RULES,
    *layout.RULES,
    *_LAST,
)
ORG_RULES: tuple[OrgRule, ...] = org.RULES
# Listed (`svc rules`, docs) family by family, the engine's first.
ALL_RULES: tuple[AnyRule, ...] = (
    *engine.RULES, *share_nothing.RULES, *kms.RULES, *layout.RULES, *ORG_RULES,
)


def find_rule(code_or_name: str) -> AnyRule | None:
    """A rule by code (case-insensitive) or by name."""
    wanted = code_or_name.strip()
    for rule in ALL_RULES:
        if rule.code.lower() == wanted.lower() or rule.name == wanted:
            return rule
    return None
