"""The facts of one repo that organisation rules reason about, and their versioned JSON form.

Organisation rules never see a repo, only its `Facts`: who the service is, which events it
publishes and consumes, which APIs it provides and uses, and which names and ARNs it owns or
refers to. That split (Backstage Tech Insights' facts -> checks, research/linter-anchors.md §4)
is what lets each repo's CI publish its facts (`svc facts`) and one job run the organisation
rules over all of them (`svc lint --facts DIR`) without cloning the organisation.

The package, along its seams: `model` the records, `values` small readers over marked values,
`arns` ARNs and physical names, `template` and `manifest` the two readers, `extract` one pass
of both over a loaded repo, `codec` the JSON form, `published` `svc facts` and `--facts DIR`.
This module re-exports the names the rest of svc imports.
"""

from __future__ import annotations

from svc_serverless.linter.facts.arns import OWNED_NAME_PROPERTIES, arn_resource
from svc_serverless.linter.facts.codec import FACTS_VERSION, facts_from_json, facts_to_json
from svc_serverless.linter.facts.extract import extract_facts, read_facts
from svc_serverless.linter.facts.manifest import ANSWERS_FILE, MANIFEST_FILE
from svc_serverless.linter.facts.model import (
    ANY,
    ANY_VALUE,
    ANYTHING_BUT,
    BACKSTAGE,
    EVENTS,
    EXACT,
    IGNORE_CASE,
    MANIFEST,
    PREFIX,
    SNS,
    SQS,
    SUFFIX,
    TEMPLATE,
    WILDCARD,
    Api,
    Event,
    Facts,
    Loc,
    Matcher,
    Name,
    Reference,
    exact,
    normalise_base_path,
    normalise_ssm_prefix,
)
from svc_serverless.linter.facts.published import (
    SCHEMA_PATH,
    facts_json_for_path,
    results_from_facts_dir,
)
from svc_serverless.linter.facts.values import decode_json

__all__ = [
    "ANSWERS_FILE", "ANY", "ANYTHING_BUT", "ANY_VALUE", "BACKSTAGE", "EVENTS", "EXACT",
    "FACTS_VERSION", "IGNORE_CASE", "MANIFEST", "MANIFEST_FILE", "OWNED_NAME_PROPERTIES",
    "PREFIX", "SCHEMA_PATH", "SNS", "SQS", "SUFFIX", "TEMPLATE", "WILDCARD", "Api", "Event",
    "Facts", "Loc", "Matcher", "Name", "Reference", "arn_resource", "decode_json", "exact",
    "extract_facts", "facts_from_json", "facts_json_for_path", "facts_to_json", "normalise_base_path",
    "normalise_ssm_prefix", "read_facts", "results_from_facts_dir",
]
