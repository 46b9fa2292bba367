"""A code or definition location points outside the repo.

## What it does
Checks where the template takes code and definitions from, in resources and SAM `Globals`:
`CodeUri` (functions, and the resolvers and functions of a `AWS::Serverless::GraphQLApi`),
`ContentUri`, `DefinitionUri`, `SchemaUri`, `AWS::Serverless::Application` `Location`,
`AWS::Lambda::Function` `Code`, `AWS::Lambda::LayerVersion` `Content`,
`DefinitionS3Location`, `BodyS3Location`, the AppSync `...S3Location`s, a nested stack's
`TemplateURL` and every `AWS::Include` `Location`, in each form CloudFormation takes: the
top-level `Transform` (a mapping, or an entry of its list), and `Fn::Transform` as a value,
beside other keys of a section (`Resources`, `Mappings`, `Outputs`...) or of a resource, alone
or in a list. Reported:

- a local path that leaves the repo: absolute (`/home/me/code`), from a home folder (`~/x`),
  climbing out with `..`, or through a symlink whose target is outside the repo;
- a literal remote location: `s3://...`, an `https://` URL, or a `{Bucket, Key}` /
  `{S3Bucket, S3Key}` mapping with a literal bucket name: code that this repo does not build.

Fine: paths inside the repo, inline code (`InlineCode`, `ZipFile`), locations computed with
`!Ref`/`!Sub` (a CI pipeline passing in its own upload), and Serverless Application Repository
applications (`Location: {ApplicationId, SemanticVersion}`), which are published, versioned
packages like any other dependency.

## Why is this bad?
A service repo must hold everything its stack runs, so that one commit says exactly what is
deployed and one pipeline can build it. Code from a sibling folder, a developer's machine or an
S3 object built by someone else's pipeline changes without this repo changing, cannot be
reviewed here, and breaks the build on every other machine.

## Example
```yaml
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../shared-code/orders
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://platform-artifacts/reports.zip
```

## Use instead
```yaml
# Each function's code lives in its own folder of this repo; `sam build` and `sam package`
# build and upload it.
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/orders/
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/reports/
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.linter.shortform import short_form
from svc_serverless.rules.share_nothing._helpers import (
    intrinsic,
    parent,
    resolve_path,
    template_scan,
)

# Where each resource type takes code or a definition from (SAM and `aws cloudformation package`).
LOCATIONS: dict[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::Application": ("Location",),
    "AWS::Serverless::GraphQLApi": ("SchemaUri",),
    "AWS::Lambda::Function": ("Code",),
    "AWS::Lambda::LayerVersion": ("Content",),
    "AWS::StepFunctions::StateMachine": ("DefinitionS3Location",),
    "AWS::ApiGateway::RestApi": ("BodyS3Location",),
    "AWS::ApiGatewayV2::Api": ("BodyS3Location",),
    "AWS::AppSync::GraphQLSchema": ("DefinitionS3Location",),
    "AWS::AppSync::Resolver": ("RequestMappingTemplateS3Location",
                               "ResponseMappingTemplateS3Location", "CodeS3Location"),
    "AWS::AppSync::FunctionConfiguration": ("RequestMappingTemplateS3Location",
                                            "ResponseMappingTemplateS3Location",
                                            "CodeS3Location"),
    "AWS::CloudFormation::Stack": ("TemplateURL",),
}
GLOBAL_LOCATIONS = {"Function": ("CodeUri",), "LayerVersion": ("ContentUri",),
                    "Api": ("DefinitionUri",), "HttpApi": ("DefinitionUri",)}
# Mapping forms of a remote location: (bucket key, object key).
_BUCKET_KEYS = (("Bucket", "Key"), ("S3Bucket", "S3Key"))


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    base = parent(template.path)
    for path, prop, value in _locations(repo):
        reason = _reason(repo, base, value)
        if reason is not None:
            shown = _show(value)
            yield Problem(
                f"{prop} {shown} {reason}: keep the code in this repo (functions/, layers/, "
                "workflows/) so this service builds and deploys everything it runs",
                node=_bucket(value) or value, path=path, subject=shown,
            )


def _locations(repo: LoadedRepo) -> Iterator[tuple[str, str, Any]]:
    """(path, property, value) of every declared location, Globals included once."""
    template = repo.template
    assert template is not None
    globals_section = template.section("Globals")
    for section, props in GLOBAL_LOCATIONS.items():
        body = globals_section.get(section)
        if isinstance(body, dict):
            for prop in props:
                if prop in body:
                    yield f"Globals/{section}/{prop}", prop, body[prop]
    for resource in template.resources:
        raw = resource.node.get("Properties")
        if not isinstance(raw, dict):
            continue
        for prop in LOCATIONS.get(resource.type, ()):
            if prop in raw:
                yield resource.path("Properties", prop), prop, raw[prop]
        if resource.type == "AWS::Serverless::GraphQLApi":
            yield from _graphql_code(resource.path("Properties"), raw)
    scan = template_scan(repo)
    for path, value in scan.includes if scan is not None else ():
        yield path, "AWS::Include Location", value


def _graphql_code(path: str, properties: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for group in ("Functions", "Resolvers"):
        entries = properties.get(group)
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if group == "Resolvers" and isinstance(entry, dict):  # Resolvers: {Type: {Field: ...}}
                for field, resolver in entry.items():
                    if isinstance(resolver, dict) and "CodeUri" in resolver:
                        yield f"{path}/{group}/{name}/{field}/CodeUri", "CodeUri", resolver["CodeUri"]
            if isinstance(entry, dict) and "CodeUri" in entry:
                yield f"{path}/{group}/{name}/CodeUri", "CodeUri", entry["CodeUri"]


def _reason(repo: LoadedRepo, base: str, value: Any) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("s3://", "http://", "https://")):
            return "is not built from this repo (a remote location)"
        text = text.removeprefix("file://")
        if "://" in text:
            return None
        leaves = resolve_path(repo, base, text)
        return leaves.reason if leaves.rel is None else None
    if isinstance(value, dict) and intrinsic(value) is None:
        for bucket_key, _ in _BUCKET_KEYS:
            if isinstance(value.get(bucket_key), str):
                return "is not built from this repo (an S3 object)"
    return None


def _bucket(value: Any) -> object:
    """The literal bucket name of a `{Bucket, Key}` location: the most specific place."""
    if isinstance(value, dict):
        for bucket_key, _ in _BUCKET_KEYS:
            if isinstance(value.get(bucket_key), str):
                return value[bucket_key]
    return None


def _show(value: Any) -> str:
    for bucket_key, object_key in _BUCKET_KEYS:
        if isinstance(value, dict) and isinstance(value.get(bucket_key), str):
            key = value.get(object_key, "")
            if isinstance(key, str):
                return f"'s3://{value[bucket_key]}/{key}'"
    return short_form(value, 100)


RULE = Rule(
    code="SN006",
    name="code-location-in-repo",
    severity="error",
    tags=("share-nothing", "template", "repo"),
    doc=__doc__ or "",
    check=check,
)
