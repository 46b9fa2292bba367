"""Rules of the layout family: the repo is laid out by resource type, as svc generates it."""

from __future__ import annotations

from svc_serverless.linter.rule import Rule
from svc_serverless.rules.layout import (
    ci_config,
    kebab_case_folders,
    manifest_valid,
    one_dependency_manifest,
    required_files,
    resource_folder,
    single_template,
    stack_quota,
    stack_quota_near,
    unused_folder,
    workflow_definition_file,
)

RULES: tuple[Rule, ...] = (
    resource_folder.RULE,
    unused_folder.RULE,
    one_dependency_manifest.RULE,
    workflow_definition_file.RULE,
    required_files.RULE,
    manifest_valid.RULE,
    ci_config.RULE,
    kebab_case_folders.RULE,
    single_template.RULE,
    stack_quota.RULE,
    stack_quota_near.RULE,
)
