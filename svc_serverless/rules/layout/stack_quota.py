"""The template exceeds a CloudFormation quota: 500 resources once SAM expands it, a 1 MB body, 200 outputs, parameters or mappings.

## What it does
Checks the template against the CloudFormation quotas a growing service runs into, and reports
each one it exceeds, with the count and what it is made of:

- **resources: 500.** CloudFormation counts the processed template, after the SAM transform
  has expanded it, and a SAM template shows far fewer resources than that: a function with an
  API event becomes the function, its role, a permission, and the API with its deployment and
  stage; `AutoPublishAlias` adds a version and an alias; `DeploymentPreference` a CodeDeploy
  deployment group (and once per template the CodeDeploy application and its role); an SNS
  event a subscription and a permission; a schedule a rule and a permission. svc estimates the
  processed count without running the transform (see below) and reports it at the
  `Resources:` key. Every declared resource counts, including those behind a `Condition`.
- **template body: 1 MB** (svc counts 1,000,000 bytes, as cfn-lint does), reported at line 1.
  `sam deploy` always uploads the template to S3 first; the 51,200-byte limit applies only to a
  template passed inline (`aws cloudformation deploy` without `--s3-bucket`).
- **outputs, parameters, mappings: 200 each**, reported at the section's key.

How the estimate works: one small count per SAM resource type (`Function`, `StateMachine`,
`Api`, `HttpApi`, `WebSocketApi`, `GraphQLApi`, `SimpleTable`, `LayerVersion`, `Application`,
`Connector`, ...) and per event source type (Api, HttpApi, SQS, SNS with or without
`SqsSubscription`, Schedule, ScheduleV2, EventBridgeRule, CloudWatchEvent, S3, DynamoDB,
Kinesis, MQ, MSK, SelfManagedKafka, DocumentDB, Cognito, IoTRule, CloudWatchLogs, AlexaSkill),
with the roles SAM creates when `Role` is absent, `FunctionUrlConfig`, `EventInvokeConfig`
destinations, dead-letter queues SAM creates for rules, Lambda authorizer permissions, custom
domains, usage plans and embedded `Connectors`; plus what SAM creates once per template (the
implicit `ServerlessRestApi` or `ServerlessHttpApi` with its stage, the CodeDeploy application
and role, a shared usage plan, Route 53 record set groups). `Policies` and `Layers` are inline
or references and add nothing. Every other resource counts as one. The `Globals` section
applies as SAM applies it.

Error margin: svc's test suite holds the estimate equal to aws-sam-translator's own expansion
on every template of a 218-repo corpus of public SAM patterns that the translator can
transform, on every `svc new` variant, and on a template for each feature listed above. What
it cannot see: resources other macros add (`AWS::Include`, your own macros). `Fn::ForEach`
loops count what they generate; a collection given as `!Ref` to a parameter counts its
`Default`, and one without a default counts once.

## Why is this bad?
A stack over a quota cannot deploy at all: not the change that crossed it, and not the fix
for the incident that happens next. CloudFormation says so only at deploy time, and the SAM
template, which declares far fewer resources than it becomes, gives no warning. A service
this large usually holds more than one bounded context: several teams' changes queue behind
one pipeline, one rollback and one blast radius, which is what one service per repo was meant
to avoid.

Nested stacks (`AWS::CloudFormation::Stack`, `AWS::Serverless::Application`) raise the count
but do not solve the problem: the children deploy only through the parent, in one operation
with one rollback; values cross between them as parameters and outputs, a coupling that
share-nothing services avoid; and a nested application from another repo is someone else's
code deployed in your stack. The service stays exactly as large, only harder to see.

## Example
```yaml
# orders/template.yaml: 90 functions like this one and their 90 log groups:
# estimated 543 resources after SAM expands the template (quota 500):
# 90 functions with Api events x 5, 90 AWS::Logs::LogGroup x 1,
# 1 implicit API (ServerlessRestApi) x 3
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      Events:
        Create: {Type: Api, Properties: {Path: /orders, Method: post}}
  # ... 89 more functions: orders, checkout, invoicing and shipping alike
```

## Use instead
```yaml
# Split along a bounded context: each part its own repo, stack, key and pipeline,
# talking to the others through its API and events.
# orders/template.yaml      orders: create, read, cancel
# invoicing/template.yaml   consumes OrderCreated, publishes InvoiceIssued
# shipping/template.yaml    consumes InvoiceIssued
```
Fewer parameters: group settings in one SSM parameter or a mapping. Fewer outputs: a
service shares what others need through its API or events, not stack outputs. A template
near 1 MB usually holds inline code or definitions: move them to files (`CodeUri`,
`DefinitionUri`).
"""

from __future__ import annotations

from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo, Template
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.layout._expansion import Estimate, estimate, iter_parts

RESOURCE_QUOTA = 500
BODY_QUOTA = 1_000_000  # bytes; as cfn-lint counts CloudFormation's "1 MB"
SECTION_QUOTAS = (("Outputs", "outputs", 200), ("Parameters", "parameters", 200),
                  ("Mappings", "mappings", 200))
MOST_PARTS = 4  # contributions named in a message


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    text = repo.text(template.path)
    size = len(text.encode("utf-8")) if text is not None else 0
    if size > BODY_QUOTA:
        yield Problem(
            f"the template is {size:,} bytes: CloudFormation refuses a template body over "
            f"{BODY_QUOTA:,} bytes (1 MB); move inline code and definitions to files, or split "
            "the service along a bounded context (see `svc rules LAY010`)",
            file=template.path, line=1, subject="template body size",
        )
    result = estimate(template)
    if result.total > RESOURCE_QUOTA:
        yield Problem(
            resource_message(result, f"quota {RESOURCE_QUOTA}")
            + "; the stack cannot deploy: split the service along a bounded context "
            "(see `svc rules LAY010`)",
            node=section_key(template, "Resources"), path="Resources", subject="resource quota",
        )
    for section, noun, quota in SECTION_QUOTAS:
        declared = len(template.section(section))
        if declared > quota:
            yield Problem(
                f"{declared} {noun}: CloudFormation allows at most {quota} per template "
                "(see `svc rules LAY010`)",
                node=section_key(template, section), path=section, subject=f"{noun} quota",
            )


def resource_message(result: Estimate, limits: str) -> str:
    parts = ", ".join(iter_parts(result, MOST_PARTS))
    return f"estimated {result.total} resources after SAM expands the template ({limits}): {parts}"


def section_key(template: Template, name: str) -> object:
    """The section's key as written (it carries its line), or None."""
    return next((key for key in template.data if key == name), None)


RULE = Rule(
    code="LAY010",
    name="stack-quota",
    severity="error",
    tags=("layout", "service-size"),
    doc=__doc__ or "",
    check=check,
)
