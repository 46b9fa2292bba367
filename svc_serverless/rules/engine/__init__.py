"""Rules of the engine family: problems with reading a repo or applying svc itself."""

from __future__ import annotations

from svc_serverless.linter.rule import Rule
from svc_serverless.rules.engine import (
    file_unreadable,
    policy_invalid,
    rule_crashed,
    suppression_expired,
    suppression_invalid,
    template_unparseable,
)

RULES: tuple[Rule, ...] = (
    rule_crashed.RULE,
    template_unparseable.RULE,
    suppression_invalid.RULE,
    suppression_expired.RULE,
    policy_invalid.RULE,
    file_unreadable.RULE,
)
