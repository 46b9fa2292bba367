"""A data store is not encrypted with a KMS key defined in this template.

## What it does
Checks that every data store of the template is encrypted with a customer managed key that
resolves to an `AWS::KMS::Key` of this same template: through `!Ref Key`, `!GetAtt Key.Arn` or
`Key.KeyId`, an `AWS::KMS::Alias` of this template that targets the key (by `!Ref Alias` or by
its `AliasName`, written the same way), `!Sub` strings that spell one of those, SAM `Globals`,
and both branches of an `Fn::If`. The data stores and the property checked:

| resource | encryption it needs |
|---|---|
| `AWS::DynamoDB::Table` | `SSESpecification {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId}` |
| `AWS::DynamoDB::GlobalTable` | `SSESpecification {SSEEnabled: true, SSEType: KMS}` and each replica's `SSESpecification.KMSMasterKeyId` |
| `AWS::Serverless::SimpleTable` | always a finding: it cannot take a customer managed key |
| `AWS::SQS::Queue`, `AWS::SNS::Topic` | `KmsMasterKeyId` (`SqsManagedSseEnabled` is an SQS owned key) |
| `AWS::S3::Bucket` | every `ServerSideEncryptionByDefault` with `SSEAlgorithm: aws:kms` (or `aws:kms:dsse`) and `KMSMasterKeyID` |
| `AWS::Kinesis::Stream` | `StreamEncryption {EncryptionType: KMS, KeyId}` |
| `AWS::KinesisFirehose::DeliveryStream` | `DeliveryStreamEncryptionConfigurationInput {KeyType: CUSTOMER_MANAGED_CMK, KeyARN}` (not for a Kinesis stream source, which the stream encrypts) |
| `AWS::Logs::LogGroup` | `KmsKeyId` |
| `AWS::Serverless::Function`, `AWS::Lambda::Function` | `KmsKeyArn`, when it has environment variables |
| `AWS::StepFunctions::StateMachine` | `EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, KmsKeyId}` |
| `AWS::Serverless::StateMachine` | a finding unless it sets `EncryptionConfiguration`: SAM (aws-sam-translator 1.110) rejects that property, so use `AWS::StepFunctions::StateMachine` |
| `AWS::SecretsManager::Secret` | `KmsKeyId` |
| `AWS::Events::EventBus` | `KmsKeyIdentifier` |

A missing property, AWS owned or AWS managed encryption, a literal key ARN or id, an alias this
template does not define (`alias/aws/sqs`), an imported key (`Fn::ImportValue`) and a key passed
in as a parameter are findings, at the offending value (or the resource when nothing is set).

Known limits: replicas of a global table in other regions need a key in each region, which one
regional stack cannot define; an S3 bucket that receives server access logs must use SSE-S3.
Suppress those with a reason.

## Why is this bad?
With AWS owned or AWS managed keys, the service cannot say who may decrypt its data: any
principal of the account with access to the store can. With another stack's key, the service
depends on that stack to deploy, and its data is readable by whoever that key policy trusts.
The service's own key (KMS001) keeps the data, its key policy and its lifecycle in one place:
share nothing.

## Example
```yaml
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      SSESpecification:
        SSEEnabled: true
        SSEType: KMS
        KMSMasterKeyId: !ImportValue shared-platform-KeyArn
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: alias/aws/sqs
```

## Use instead
```yaml
Globals:
  Function:
    KmsKeyArn: !GetAtt ServiceKey.Arn
Resources:
  ServiceKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      SSESpecification:
        SSEEnabled: true
        SSEType: KMS
        KMSMasterKeyId: !Ref ServiceKey
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !Ref ServiceKey
  WorkflowLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      KmsKeyId: !GetAtt ServiceKey.Arn
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from svc_serverless.linter.model import LoadedRepo, Resource, Template
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.kms._keys import (
    OwnKeys,
    foreign,
    key_node,
    own_keys,
    resource_anchor,
    show,
)


@dataclass(frozen=True)
class Gap:
    """One way a store misses its own key: where, which property, and why."""

    node: object  # the offending value, or the deepest existing place when a property is missing
    path: tuple[str | int, ...]  # below the resource, e.g. ("Properties", "KmsMasterKeyId")
    reason: str
    subject: str = ""
    fix: str = ""  # overrides the store's fix


Check = Callable[[Resource, OwnKeys, object], Iterator[Gap]]


@dataclass(frozen=True)
class Store:
    kind: str
    fix: str  # "<key>" is replaced by the template's key name
    check: Check


def _key_gap(node: object, path: tuple[str | int, ...], prop: str, keys: OwnKeys) -> Iterator[Gap]:
    """A gap if the key value at `node` does not resolve to a key of this template."""
    found = foreign(node, keys)
    if found is not None:
        bad, why = found
        shown = show(bad)
        yield Gap(bad, path, f"{prop} is {shown}, {why}", shown)


def _props(resource: Resource) -> tuple[dict[str, Any], tuple[str, ...]]:
    return resource.properties, ("Properties",)


def _require(
    parent: Any, anchor: object, path: tuple[str | int, ...], prop: str, missing: str
) -> tuple[Any, object, Gap | None]:
    """The value of `prop` in `parent`, its anchor, or a gap saying it is missing."""
    value = parent.get(prop) if isinstance(parent, dict) else None
    if value is None:
        return None, anchor, Gap(anchor, (*path, prop), f"no {prop}: {missing}")
    return value, key_node(parent, prop) or anchor, None


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _simple_key(prop: str, missing: str) -> Check:
    """Stores whose whole encryption is one key property (queues, topics, log groups...)."""

    def check(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
        props, path = _props(resource)
        value, _, gap = _require(props, anchor, path, prop, missing)
        if gap is not None:
            yield gap
        else:
            yield from _key_gap(value, (*path, prop), prop, keys)

    return check


def _nested_key(
    block: str, type_prop: str, wanted: str, key_prop: str, missing: str
) -> Check:
    """Stores with an encryption block: `{<type_prop>: <wanted>, <key_prop>: key}`."""

    def check(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
        props, path = _props(resource)
        config, where, gap = _require(props, anchor, path, block, missing)
        if gap is not None:
            yield gap
            return
        path = (*path, block)
        kind = config.get(type_prop) if isinstance(config, dict) else None
        if kind != wanted:
            shown = show(kind) if kind is not None else "not set"
            yield Gap(key_node(config, type_prop) or where, (*path, type_prop),
                      f"{block}.{type_prop} is {shown}, not {wanted}", str(kind or ""))
            return
        value, _, gap = _require(config, where, path, key_prop, missing)
        if gap is not None:
            yield gap
        else:
            yield from _key_gap(value, (*path, key_prop), key_prop, keys)

    return check


def _dynamodb_table(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    props, path = _props(resource)
    missing = "DynamoDB uses an AWS owned key"
    sse, where, gap = _require(props, anchor, path, "SSESpecification", missing)
    if gap is not None:
        yield gap
        return
    yield from _sse_enabled(sse, where, (*path, "SSESpecification"))
    value, _, gap = _require(sse, where, (*path, "SSESpecification"), "KMSMasterKeyId",
                             "DynamoDB uses the AWS managed key alias/aws/dynamodb")
    if gap is not None:
        yield gap
    else:
        yield from _key_gap(value, (*path, "SSESpecification", "KMSMasterKeyId"),
                            "KMSMasterKeyId", keys)


def _sse_enabled(sse: Any, where: object, path: tuple[str | int, ...]) -> Iterator[Gap]:
    """DynamoDB's SSESpecification must say SSEEnabled: true and SSEType: KMS."""
    if not isinstance(sse, dict):
        yield Gap(where, path, "SSESpecification is not a mapping")
        return
    if not _is_true(sse.get("SSEEnabled")):
        yield Gap(key_node(sse, "SSEEnabled") or where, (*path, "SSEEnabled"),
                  "SSEEnabled is not true: DynamoDB uses an AWS owned key")
    elif sse.get("SSEType") != "KMS":
        kind = sse.get("SSEType")
        shown = show(kind) if kind is not None else "not set"
        yield Gap(key_node(sse, "SSEType") or where, (*path, "SSEType"),
                  f"SSEType is {shown}, not KMS", str(kind or ""))


def _global_table(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    props, path = _props(resource)
    sse, where, gap = _require(props, anchor, path, "SSESpecification",
                               "DynamoDB uses an AWS owned key")
    if gap is not None:
        yield gap
        return
    yield from _sse_enabled(sse, where, (*path, "SSESpecification"))
    replicas = props.get("Replicas")
    if not isinstance(replicas, list):
        return
    for index, replica in enumerate(replicas):
        if not isinstance(replica, dict):
            continue
        rpath: tuple[str | int, ...] = (*path, "Replicas", index, "SSESpecification")
        rsse = replica.get("SSESpecification")
        value = rsse.get("KMSMasterKeyId") if isinstance(rsse, dict) else None
        if value is None:
            region = replica.get("Region")
            yield Gap(key_node(replica, "SSESpecification") or replica, (*rpath, "KMSMasterKeyId"),
                      f"replica {show(region)} has no SSESpecification.KMSMasterKeyId")
        else:
            yield from _key_gap(value, (*rpath, "KMSMasterKeyId"), "KMSMasterKeyId", keys)


def _simple_table(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    where = key_node(resource.properties, "SSESpecification") or anchor
    yield Gap(where, ("Properties", "SSESpecification"),
              "AWS::Serverless::SimpleTable cannot use a customer managed key",
              fix="use AWS::DynamoDB::Table with SSESpecification "
                  "{SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !Ref <key>}")


def _queue(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    props = resource.properties
    if "KmsMasterKeyId" not in props and _is_true(props.get("SqsManagedSseEnabled")):
        yield Gap(key_node(props, "SqsManagedSseEnabled") or anchor,
                  ("Properties", "SqsManagedSseEnabled"),
                  "SqsManagedSseEnabled uses an SQS owned key")
        return
    yield from _simple_key("KmsMasterKeyId", "SQS uses an SQS owned key or none")(
        resource, keys, anchor)


def _bucket(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    props, path = _props(resource)
    config, where, gap = _require(props, anchor, path, "BucketEncryption",
                                  "S3 encrypts with S3 managed keys (SSE-S3)")
    if gap is not None:
        yield gap
        return
    rules = config.get("ServerSideEncryptionConfiguration") if isinstance(config, dict) else None
    if not isinstance(rules, list) or not rules:
        yield Gap(where, (*path, "BucketEncryption", "ServerSideEncryptionConfiguration"),
                  "no ServerSideEncryptionConfiguration rule")
        return
    for index, rule in enumerate(rules):
        rpath: tuple[str | int, ...] = (
            *path, "BucketEncryption", "ServerSideEncryptionConfiguration", index,
            "ServerSideEncryptionByDefault",
        )
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        yield from _bucket_rule(default, rule, where, rpath, keys)


def _bucket_rule(
    default: Any, rule: Any, where: object, path: tuple[str | int, ...], keys: OwnKeys
) -> Iterator[Gap]:
    if not isinstance(default, dict):
        yield Gap(rule if isinstance(rule, dict) else where, path,
                  "no ServerSideEncryptionByDefault")
        return
    algorithm = default.get("SSEAlgorithm")
    if algorithm not in ("aws:kms", "aws:kms:dsse"):
        shown = show(algorithm) if algorithm is not None else "not set"
        yield Gap(algorithm if isinstance(algorithm, str) else default, (*path, "SSEAlgorithm"),
                  f"SSEAlgorithm is {shown}: S3 managed keys", str(algorithm or ""))
        return
    value = default.get("KMSMasterKeyID")
    if value is None:
        yield Gap(key_node(default, "SSEAlgorithm") or default, (*path, "KMSMasterKeyID"),
                  "no KMSMasterKeyID: S3 uses the AWS managed key aws/s3")
    else:
        yield from _key_gap(value, (*path, "KMSMasterKeyID"), "KMSMasterKeyID", keys)


def _firehose(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    if resource.properties.get("DeliveryStreamType") == "KinesisStreamAsSource":
        return  # the source stream holds the data and is checked itself
    yield from _nested_key(
        "DeliveryStreamEncryptionConfigurationInput", "KeyType", "CUSTOMER_MANAGED_CMK", "KeyARN",
        "Firehose does not encrypt with a customer managed key",
    )(resource, keys, anchor)


def _function(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    props = resource.properties
    if "KmsKeyArn" in props:
        yield from _key_gap(props["KmsKeyArn"], ("Properties", "KmsKeyArn"), "KmsKeyArn", keys)
        return
    environment = props.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if variables:  # a mapping with entries, or an intrinsic that builds one
        yield Gap(key_node(props, "Environment") or anchor, ("Properties", "KmsKeyArn"),
                  "no KmsKeyArn: its environment variables use the AWS managed key aws/lambda")


def _sam_state_machine(resource: Resource, keys: OwnKeys, anchor: object) -> Iterator[Gap]:
    if "EncryptionConfiguration" in resource.properties:  # a later SAM that supports it
        yield from _STATE_MACHINE(resource, keys, anchor)
        return
    yield Gap(anchor, ("Properties", "EncryptionConfiguration"),
              "AWS::Serverless::StateMachine cannot set EncryptionConfiguration, so Step Functions "
              "uses an AWS owned key",
              fix="use AWS::StepFunctions::StateMachine with DefinitionS3Location and "
                  "EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, "
                  "KmsKeyId: !GetAtt <key>.Arn}")


_STATE_MACHINE = _nested_key(
    "EncryptionConfiguration", "Type", "CUSTOMER_MANAGED_KMS_KEY", "KmsKeyId",
    "Step Functions uses an AWS owned key",
)

STORES: dict[str, Store] = {
    "AWS::DynamoDB::Table": Store(
        "DynamoDB table",
        "set SSESpecification {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !Ref <key>}",
        _dynamodb_table,
    ),
    "AWS::DynamoDB::GlobalTable": Store(
        "DynamoDB global table",
        "set SSESpecification {SSEEnabled: true, SSEType: KMS} and each replica's "
        "SSESpecification {KMSMasterKeyId: !Ref <key>}",
        _global_table,
    ),
    "AWS::Serverless::SimpleTable": Store("DynamoDB table", "", _simple_table),
    "AWS::SQS::Queue": Store("SQS queue", "set KmsMasterKeyId: !Ref <key>", _queue),
    "AWS::SNS::Topic": Store(
        "SNS topic", "set KmsMasterKeyId: !Ref <key>",
        _simple_key("KmsMasterKeyId", "the topic is not encrypted with a customer managed key"),
    ),
    "AWS::S3::Bucket": Store(
        "S3 bucket",
        "set BucketEncryption {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: "
        "{SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt <key>.Arn}, BucketKeyEnabled: true}]}",
        _bucket,
    ),
    "AWS::Kinesis::Stream": Store(
        "Kinesis stream", "set StreamEncryption {EncryptionType: KMS, KeyId: !GetAtt <key>.Arn}",
        _nested_key("StreamEncryption", "EncryptionType", "KMS", "KeyId",
                    "the stream is not encrypted with a customer managed key"),
    ),
    "AWS::KinesisFirehose::DeliveryStream": Store(
        "Firehose delivery stream",
        "set DeliveryStreamEncryptionConfigurationInput "
        "{KeyType: CUSTOMER_MANAGED_CMK, KeyARN: !GetAtt <key>.Arn}",
        _firehose,
    ),
    "AWS::Logs::LogGroup": Store(
        "log group", "set KmsKeyId: !GetAtt <key>.Arn",
        _simple_key("KmsKeyId", "CloudWatch Logs uses its own service key"),
    ),
    "AWS::Serverless::Function": Store(
        "Lambda function", "set KmsKeyArn: !GetAtt <key>.Arn (for every function: in "
        "Globals.Function)", _function,
    ),
    "AWS::Lambda::Function": Store("Lambda function", "set KmsKeyArn: !GetAtt <key>.Arn", _function),
    "AWS::StepFunctions::StateMachine": Store(
        "state machine",
        "set EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, KmsKeyId: !GetAtt <key>.Arn}",
        _STATE_MACHINE,
    ),
    "AWS::Serverless::StateMachine": Store("state machine", "", _sam_state_machine),
    "AWS::SecretsManager::Secret": Store(
        "secret", "set KmsKeyId: !Ref <key>",
        _simple_key("KmsKeyId", "Secrets Manager uses the AWS managed key aws/secretsmanager"),
    ),
    "AWS::Events::EventBus": Store(
        "event bus", "set KmsKeyIdentifier: !GetAtt <key>.Arn",
        _simple_key("KmsKeyIdentifier", "EventBridge uses an AWS owned key"),
    ),
}


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    keys: OwnKeys | None = None
    for resource in template.of_type(*STORES):
        keys = keys or own_keys(template)
        yield from _problems(template, resource, keys)


def _problems(template: Template, resource: Resource, keys: OwnKeys) -> Iterator[Problem]:
    store = STORES[resource.type]
    anchor = resource_anchor(template, resource)
    for gap in store.check(resource, keys, anchor):
        fix = (gap.fix or store.fix).replace("<key>", keys.example)
        yield Problem(
            f"{store.kind} '{resource.logical_id}' is not encrypted with this service's own KMS "
            f"key ({gap.reason}): {fix}",
            node=gap.node if getattr(gap.node, "line", 0) else anchor,  # ints/bools: no line
            path=resource.path(*gap.path),
            subject=gap.subject,
        )


OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "data-store-types": {
            "type": "array", "items": {"enum": sorted(STORES)}, "uniqueItems": True,
            "description": "the resource types checked (default: every type in the table above)",
        },
    },
}


def _with_options(repo: LoadedRepo) -> Iterator[Problem]:
    types = repo.policy.option("KMS002", "data-store-types")
    template = repo.template
    for problem in check(repo):
        logical_id = problem.path.split("/")[1] if problem.path.count("/") else ""
        resource = template.resource(logical_id) if template is not None else None
        if types is None or resource is None or resource.type in types:
            yield problem


RULE = Rule(
    code="KMS002",
    name="data-store-own-key",
    severity="error",
    tags=("kms", "share-nothing", "security"),
    doc=__doc__ or "",
    check=_with_options,
    options=OPTIONS,
)
