"""Rules of the share-nothing family: a service uses only what its own repo and stack define."""

from __future__ import annotations

from svc_serverless.linter.rule import Rule
from svc_serverless.rules.share_nothing import (
    code_location_in_repo,
    dependencies_in_repo,
    imports_in_function,
    no_account_singleton,
    no_export,
    no_foreign_arn,
    no_foreign_config,
    no_foreign_role_layer_key,
    no_import_value,
    no_symlink_out_of_repo,
)

RULES: tuple[Rule, ...] = (
    no_import_value.RULE,
    no_export.RULE,
    no_foreign_arn.RULE,
    no_foreign_config.RULE,
    no_foreign_role_layer_key.RULE,
    code_location_in_repo.RULE,
    dependencies_in_repo.RULE,
    imports_in_function.RULE,
    no_account_singleton.RULE,
    no_symlink_out_of_repo.RULE,
)
