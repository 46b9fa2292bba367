"""How KMS002 checks one data store: the ways a store's encryption can miss the service's key.

Each check looks at one resource and yields a `Gap` for every way it misses a key of this
template. Most stores are one of three shapes, built by `key_at`: a key property, possibly
inside a block (`EncryptionAtRestOptions.KmsKeyId`), possibly with a flag that must be set
(`Encrypted: true`) or a type that must name KMS (`EncryptionType: KMS`). The rest (DynamoDB,
S3, functions, OpenSearch Serverless...) have checks of their own below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from svc_serverless.linter.model import Resource, Template
from svc_serverless.rules.kms._keys import OwnKeys, foreign, key_node, show

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Gap:
    """One way a store misses its own key: where, which property, and why."""

    node: object  # the offending value, or the deepest existing place when a property is missing
    path: Path  # below the resource, e.g. ("Properties", "KmsMasterKeyId")
    reason: str
    subject: str = ""
    fix: str = ""  # overrides the store's fix


Check = Callable[[Resource, OwnKeys, object, Template], Iterator[Gap]]
_PROPS: Path = ("Properties",)


def key_gap(node: object, path: Path, prop: str, keys: OwnKeys) -> Iterator[Gap]:
    """A gap if the key value at `node` does not resolve to a key of this template."""
    found = foreign(node, keys)
    if found is not None:
        bad, why = found
        shown = show(bad)
        yield Gap(bad, path, f"{prop} is {shown}, {why}", shown)


def require(parent: Any, anchor: object, path: Path, prop: str,
            missing: str) -> tuple[Any, object, Gap | None]:
    """The value of `prop` in `parent`, its anchor, or a gap saying it is missing."""
    value = parent.get(prop) if isinstance(parent, dict) else None
    if value is None:
        return None, anchor, Gap(anchor, (*path, prop), f"no {prop}: {missing}")
    return value, key_node(parent, prop) or anchor, None


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def key_at(*block: str, key: str, missing: str, flag: tuple[str, bool] | None = None,
           kind: tuple[str, tuple[str, ...]] | None = None) -> Check:
    """A store whose key is `key` inside `block` (nested mappings below Properties).

    `flag` = (property, value) that must be set beside the key (`Encrypted: true`);
    `kind` = (property, accepted values) that must name KMS (`EncryptionType: KMS`).
    """

    def check(resource: Resource, keys: OwnKeys, anchor: object,
              template: Template) -> Iterator[Gap]:
        parent: Any = resource.properties
        where, path = anchor, _PROPS
        for name in block:
            parent, where, gap = require(parent, where, path, name, missing)
            if gap is not None:
                yield gap
                return
            path = (*path, name)
        label = ".".join(block)
        if flag is not None:
            gap = _flag_gap(parent, where, path, label, flag, missing)
            if gap is not None:
                yield gap
                return
        if kind is not None:
            gap = _kind_gap(parent, where, path, label, kind)
            if gap is not None:
                yield gap
                return
        value, _, gap = require(parent, where, path, key, missing)
        if gap is not None:
            yield gap
        else:
            yield from key_gap(value, (*path, key), key, keys)

    return check


def _flag_gap(parent: Any, where: object, path: Path, label: str, flag: tuple[str, bool],
              missing: str) -> Gap | None:
    name, wanted = flag
    value = parent.get(name) if isinstance(parent, dict) else None
    if (is_true(value) if wanted else is_false(value)):
        return None
    shown = show(value) if value is not None else "not set"
    full = f"{label}.{name}" if label else name
    return Gap(key_node(parent, name) or where, (*path, name), f"{full} is {shown}: {missing}",
               str(value if value is not None else ""))


def _kind_gap(parent: Any, where: object, path: Path, label: str,
              kind: tuple[str, tuple[str, ...]]) -> Gap | None:
    name, accepted = kind
    value = parent.get(name) if isinstance(parent, dict) else None
    if value in accepted:
        return None
    shown = show(value) if value is not None else "not set"
    full = f"{label}.{name}" if label else name
    return Gap(key_node(parent, name) or where, (*path, name),
               f"{full} is {shown}, not {' or '.join(accepted)}", str(value or ""))


def when(condition: Callable[[dict[str, Any]], bool], check: Check) -> Check:
    """`check`, only for resources whose properties meet `condition`."""

    def guarded(resource: Resource, keys: OwnKeys, anchor: object,
                template: Template) -> Iterator[Gap]:
        if condition(resource.properties):
            yield from check(resource, keys, anchor, template)

    return guarded


# ----------------------------------------------------------------------------- DynamoDB


def _table_sse(props: Any, anchor: object) -> tuple[Any, object, list[Gap]]:
    """A table's SSESpecification, where it is, and its gaps (missing, off, not KMS)."""
    sse, where, gap = require(props, anchor, _PROPS, "SSESpecification",
                              "DynamoDB uses an AWS owned key")
    if gap is not None:
        return None, where, [gap]
    return sse, where, list(_sse_enabled(sse, where, (*_PROPS, "SSESpecification")))


def dynamodb_table(resource: Resource, keys: OwnKeys, anchor: object,
                   template: Template) -> Iterator[Gap]:
    sse, where, gaps = _table_sse(resource.properties, anchor)
    yield from gaps
    if sse is None:
        return
    value, _, gap = require(sse, where, (*_PROPS, "SSESpecification"), "KMSMasterKeyId",
                            "DynamoDB uses the AWS managed key alias/aws/dynamodb")
    if gap is not None:
        yield gap
    else:
        yield from key_gap(value, (*_PROPS, "SSESpecification", "KMSMasterKeyId"),
                           "KMSMasterKeyId", keys)


def _sse_enabled(sse: Any, where: object, path: Path) -> Iterator[Gap]:
    """DynamoDB's SSESpecification must say SSEEnabled: true and SSEType: KMS."""
    if not isinstance(sse, dict):
        yield Gap(where, path, "SSESpecification is not a mapping")
        return
    if not is_true(sse.get("SSEEnabled")):
        yield Gap(key_node(sse, "SSEEnabled") or where, (*path, "SSEEnabled"),
                  "SSEEnabled is not true: DynamoDB uses an AWS owned key")
    elif sse.get("SSEType") != "KMS":
        kind = sse.get("SSEType")
        shown = show(kind) if kind is not None else "not set"
        yield Gap(key_node(sse, "SSEType") or where, (*path, "SSEType"),
                  f"SSEType is {shown}, not KMS", str(kind or ""))


def global_table(resource: Resource, keys: OwnKeys, anchor: object,
                 template: Template) -> Iterator[Gap]:
    props = resource.properties
    sse, _, gaps = _table_sse(props, anchor)
    yield from gaps
    if sse is None:
        return
    replicas = props.get("Replicas")
    if not isinstance(replicas, list):
        return
    for index, replica in enumerate(replicas):
        if not isinstance(replica, dict):
            continue
        rpath: Path = (*_PROPS, "Replicas", index, "SSESpecification")
        rsse = replica.get("SSESpecification")
        value = rsse.get("KMSMasterKeyId") if isinstance(rsse, dict) else None
        if value is None:
            region = replica.get("Region")
            yield Gap(key_node(replica, "SSESpecification") or replica, (*rpath, "KMSMasterKeyId"),
                      f"replica {show(region)} has no SSESpecification.KMSMasterKeyId")
        else:
            yield from key_gap(value, (*rpath, "KMSMasterKeyId"), "KMSMasterKeyId", keys)


def simple_table(resource: Resource, keys: OwnKeys, anchor: object,
                 template: Template) -> Iterator[Gap]:
    where = key_node(resource.properties, "SSESpecification") or anchor
    yield Gap(where, (*_PROPS, "SSESpecification"),
              "AWS::Serverless::SimpleTable cannot use a customer managed key",
              fix="use AWS::DynamoDB::Table with SSESpecification "
                  "{SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !Ref <key>}")


# ----------------------------------------------------------------------------- queues, buckets


def queue(resource: Resource, keys: OwnKeys, anchor: object,
          template: Template) -> Iterator[Gap]:
    props = resource.properties
    if "KmsMasterKeyId" not in props and is_true(props.get("SqsManagedSseEnabled")):
        yield Gap(key_node(props, "SqsManagedSseEnabled") or anchor,
                  (*_PROPS, "SqsManagedSseEnabled"), "SqsManagedSseEnabled uses an SQS owned key")
        return
    yield from key_at(key="KmsMasterKeyId", missing="SQS uses an SQS owned key or none")(
        resource, keys, anchor, template)


def bucket(resource: Resource, keys: OwnKeys, anchor: object,
           template: Template) -> Iterator[Gap]:
    props = resource.properties
    config, where, gap = require(props, anchor, _PROPS, "BucketEncryption",
                                 "S3 encrypts with S3 managed keys (SSE-S3)")
    if gap is not None:
        yield gap
        return
    rules = config.get("ServerSideEncryptionConfiguration") if isinstance(config, dict) else None
    if not isinstance(rules, list) or not rules:
        yield Gap(where, (*_PROPS, "BucketEncryption", "ServerSideEncryptionConfiguration"),
                  "no ServerSideEncryptionConfiguration rule")
        return
    for index, rule in enumerate(rules):
        rpath: Path = (*_PROPS, "BucketEncryption", "ServerSideEncryptionConfiguration", index,
                       "ServerSideEncryptionByDefault")
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        yield from _bucket_rule(default, rule, where, rpath, keys)


def _bucket_rule(default: Any, rule: Any, where: object, path: Path,
                 keys: OwnKeys) -> Iterator[Gap]:
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
        yield from key_gap(value, (*path, "KMSMasterKeyID"), "KMSMasterKeyID", keys)


def firehose(resource: Resource, keys: OwnKeys, anchor: object,
             template: Template) -> Iterator[Gap]:
    if resource.properties.get("DeliveryStreamType") == "KinesisStreamAsSource":
        return  # the source stream holds the data and is checked itself
    yield from key_at(
        "DeliveryStreamEncryptionConfigurationInput", key="KeyARN",
        kind=("KeyType", ("CUSTOMER_MANAGED_CMK",)),
        missing="Firehose does not encrypt with a customer managed key",
    )(resource, keys, anchor, template)


# ----------------------------------------------------------------------------- compute


def function(resource: Resource, keys: OwnKeys, anchor: object,
             template: Template) -> Iterator[Gap]:
    props = resource.properties
    if "KmsKeyArn" in props:
        yield from key_gap(props["KmsKeyArn"], (*_PROPS, "KmsKeyArn"), "KmsKeyArn", keys)
        return
    environment = props.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if variables:  # a mapping with entries, or an intrinsic that builds one
        yield Gap(key_node(props, "Environment") or anchor, (*_PROPS, "KmsKeyArn"),
                  "no KmsKeyArn: its environment variables use the AWS managed key aws/lambda")


STATE_MACHINE = key_at(
    "EncryptionConfiguration", key="KmsKeyId", kind=("Type", ("CUSTOMER_MANAGED_KMS_KEY",)),
    missing="Step Functions uses an AWS owned key",
)


def sam_state_machine(resource: Resource, keys: OwnKeys, anchor: object,
                      template: Template) -> Iterator[Gap]:
    if "EncryptionConfiguration" in resource.properties:  # a later SAM that supports it
        yield from STATE_MACHINE(resource, keys, anchor, template)
        return
    yield Gap(anchor, (*_PROPS, "EncryptionConfiguration"),
              "AWS::Serverless::StateMachine cannot set EncryptionConfiguration, so Step Functions "
              "uses an AWS owned key",
              fix="use AWS::StepFunctions::StateMachine with DefinitionS3Location and "
                  "EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, "
                  "KmsKeyId: !GetAtt <key>.Arn}")


# ----------------------------------------------------------------------------- OpenSearch Serverless

SECURITY_POLICY = "AWS::OpenSearchServerless::SecurityPolicy"
_OWNED_KEY = re.compile(r'"AWSOwnedKey"\s*:\s*true', re.IGNORECASE)
_KMS_ARN = re.compile(r'"KmsARN"\s*:\s*"([^"]*)"')


def _encryption_policy(resource: Resource) -> bool:
    kind = resource.properties.get("Type")
    return isinstance(kind, str) and kind.lower() == "encryption"


def collection(resource: Resource, keys: OwnKeys, anchor: object,
               template: Template) -> Iterator[Gap]:
    """A collection is encrypted by its EncryptionConfig, else by an encryption policy."""
    if "EncryptionConfig" in resource.properties:
        yield from key_at("EncryptionConfig", key="KmsKeyArn", flag=("AWSOwnedKey", False),
                          missing="OpenSearch Serverless uses an AWS owned key")(
            resource, keys, anchor, template)
        return
    if any(_encryption_policy(p) for p in template.of_type(SECURITY_POLICY)):
        return  # the policy is checked itself
    yield Gap(anchor, (*_PROPS, "EncryptionConfig"),
              "no EncryptionConfig and no encryption policy in this template: its key is chosen "
              "outside this stack",
              fix="add an AWS::OpenSearchServerless::SecurityPolicy of Type encryption with "
                  "\"AWSOwnedKey\": false and \"KmsARN\": \"${<key>.Arn}\"")


def security_policy(resource: Resource, keys: OwnKeys, anchor: object,
                    template: Template) -> Iterator[Gap]:
    """An encryption policy's JSON must name a key of this template in KmsARN."""
    if not _encryption_policy(resource):
        return
    policy = resource.properties.get("Policy")
    where = policy if getattr(policy, "line", 0) else anchor
    path: Path = (*_PROPS, "Policy")
    owned, kms = _policy_fields(policy)
    if owned:
        yield Gap(where, (*path, "AWSOwnedKey"), "the policy sets AWSOwnedKey: true")
    elif kms is None:
        yield Gap(where, (*path, "KmsARN"), "the policy has no KmsARN: AWS owned key")
    else:  # a value read out of the JSON text has no place of its own: report at the Policy
        for gap in key_gap(kms, (*path, "KmsARN"), "KmsARN", keys):
            yield gap if getattr(gap.node, "line", 0) else replace(gap, node=where)


def _policy_fields(policy: Any) -> tuple[bool, Any]:
    """(AWSOwnedKey is true, the KmsARN value as a template value) of a policy document.

    The document is a JSON string, a `!Sub` of one (KmsARN then reads like a `!Sub`, with the
    Sub's variables), or `!ToJsonString` of a mapping.
    """
    if isinstance(policy, dict) and "Fn::ToJsonString" in policy:
        body = policy["Fn::ToJsonString"]
        if isinstance(body, dict):
            return is_true(body.get("AWSOwnedKey")), body.get("KmsARN")
        return False, None
    text, variables = policy, None
    if isinstance(policy, dict) and "Fn::Sub" in policy:
        text = policy["Fn::Sub"]
        if isinstance(text, list) and len(text) == 2:
            text, variables = text
    if not isinstance(text, str):
        return False, None
    if _OWNED_KEY.search(text):
        return True, None
    match = _KMS_ARN.search(text)
    if match is None:
        return False, None
    value = match.group(1)
    if isinstance(policy, dict):  # a !Sub: the ARN is a !Sub too
        return False, {"Fn::Sub": [value, variables] if isinstance(variables, dict) else value}
    return False, value
