"""Rules of the kms family: the service owns its KMS key and encrypts its data with it."""

from __future__ import annotations

from svc_serverless.linter.rule import Rule
from svc_serverless.rules.kms import data_store_own_key, own_key_defined

RULES: tuple[Rule, ...] = (
    own_key_defined.RULE,
    data_store_own_key.RULE,
)
