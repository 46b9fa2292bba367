"""aws-sam-translator's real expansion of a template, offline: what svc's estimate is held to.

It takes the template as svc's model holds it, `Fn::ForEach` loops already expanded (which
CloudFormation's AWS::LanguageExtensions transform does before SAM's).

The translator runs as `sam deploy` would run it after `sam package`: local code locations
become S3 URIs (a function without one gets the folder `sam build` defaults to), in a fake
region, without credentials (so a template that would make the translator call AWS, e.g. a
Serverless Application Repository lookup, is refused instead of reaching the network).
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest

LOCAL_PATH_PROPERTIES = ("CodeUri", "ContentUri", "DefinitionUri")
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
CODE_PROPERTIES = ("CodeUri", "InlineCode", "ImageUri")


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; answer with none (no network)."""

    def load(self) -> dict[str, str]:
        return {}


def go_offline(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """A fake region and no credentials anywhere boto3 would look for them.

    Two things the translator redoes for every template are done once: validating its bundled
    policy templates, and creating a boto3 session to learn the region. Together they are
    three quarters of a transform's time, and neither depends on the template.
    """
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "no-config"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    import boto3
    from samtranslator.sdk.parameter import SamParameterValues
    from samtranslator.translator import translator

    if hasattr(translator, "make_policy_template_for_function_plugin"):
        monkeypatch.setattr(translator, "make_policy_template_for_function_plugin",
                            functools.cache(translator.make_policy_template_for_function_plugin))
    session = boto3.session.Session()
    add_pseudo = SamParameterValues.add_pseudo_parameter_values

    def with_one_session(self: SamParameterValues, given: Any = None) -> None:
        add_pseudo(self, given or session)

    monkeypatch.setattr(SamParameterValues, "add_pseudo_parameter_values", with_one_session)


def packaged(template: Any) -> dict[str, Any]:
    """The template as `sam package` would upload it: plain JSON values, code in S3."""
    data: dict[str, Any] = json.loads(json.dumps(template))
    globals_function = (data.get("Globals") or {}).get("Function") or {}
    if isinstance(globals_function.get("CodeUri"), str):
        globals_function["CodeUri"] = "s3://bucket/globals/CodeUri"
    resources = data.get("Resources")
    for logical_id, resource in (resources.items() if isinstance(resources, dict) else ()):
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties", {}), dict):
            continue
        properties = resource.setdefault("Properties", {})
        for name in LOCAL_PATH_PROPERTIES:
            if isinstance(properties.get(name), str) and not properties[name].startswith("s3://"):
                properties[name] = f"s3://bucket/{logical_id}/{name}"
        if (resource.get("Type") == SERVERLESS_FUNCTION and properties.get("PackageType") != "Image"
                and not any(p in properties or p in globals_function for p in CODE_PROPERTIES)):
            properties["CodeUri"] = f"s3://bucket/{logical_id}/CodeUri"
    return data


def translated(template: Any) -> dict[str, Any] | None:
    """The processed template, or None when the translator refuses the template."""
    from botocore.exceptions import NoCredentialsError
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    try:
        result: dict[str, Any] = transform(copy.deepcopy(packaged(template)), {},
                                           _NoManagedPolicies())
    except (InvalidDocumentException, NoCredentialsError):
        return None
    return result
