"""Rules of the org family: checks over the facts of every repo at once (linter/facts/).

Each rule indexes the facts once (rules/org/index.py), so a run over 10,000 repos stays linear.
"""

from __future__ import annotations

from svc_serverless.linter.rule import OrgRule
from svc_serverless.rules.org import (
    consumed_event_has_producer,
    manifest_matches_template,
    no_foreign_resource_reference,
    no_service_cycle,
    published_event_consumed,
    scaffold_drift,
    single_owner,
    unique_service_name,
)

RULES: tuple[OrgRule, ...] = (
    unique_service_name.RULE,
    single_owner.RULE,
    consumed_event_has_producer.RULE,
    published_event_consumed.RULE,
    no_service_cycle.RULE,
    no_foreign_resource_reference.RULE,
    manifest_matches_template.RULE,
    scaffold_drift.RULE,
)
