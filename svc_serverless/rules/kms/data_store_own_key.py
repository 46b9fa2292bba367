"""A data store is not encrypted with a KMS key defined in this template.

## What it does
Checks that every data store of the template is encrypted with a customer managed key that
resolves to an `AWS::KMS::Key` of this same template: through `!Ref Key`, `!GetAtt Key.Arn` or
`Key.KeyId`, an `AWS::KMS::Alias` of this template that targets the key (by `!Ref Alias` or by
its `AliasName`, written the same way), `!Sub` strings that spell one of those, SAM `Globals`,
and both branches of an `Fn::If`. The data stores and the property checked:

{stores}

A missing property, AWS owned or AWS managed encryption, a literal key ARN or id, an alias this
template does not define (`alias/aws/sqs`), an imported key (`Fn::ImportValue`) and a key passed
in as a parameter are findings, at the offending value (or the resource when nothing is set).

A value set once in SAM `Globals` is reported once, at that value, naming every function it
reaches.

Known limits: replicas of a global table in other regions need a key in each region, which one
regional stack cannot define; an S3 bucket that receives server access logs must use SSE-S3.
Suppress those with a reason. Stores that cannot take a customer managed key at all (Amazon MQ
for RabbitMQ, single-node ElastiCache clusters, MSK Serverless, DAX) and resources that only
pass data on (EventBridge Pipes and Scheduler schedules, event source mappings) are not checked.

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

## Fix
`svc lint --fix` encrypts each store with the template's own key when the template defines
exactly one `AWS::KMS::Key`: it merges the properties of the table above into the resource
(`SSESpecification`, `KmsMasterKeyId`, `KmsKeyArn`, ...; a value set in `Globals` is fixed in
`Globals`), changing only those lines. Safe for stores only the service's own roles use
(DynamoDB tables, functions, state machines, Kinesis streams, secrets, ...). Only with
`--unsafe-fixes`: stores that AWS services write to or read for others (SQS queues, SNS topics,
log groups, S3 buckets, event buses, trails), since the key policy must then allow those
services and the fix does not change it; and stores CloudFormation replaces to change their key
(EFS, RDS, Neptune, ElastiCache, ...), which means a new, empty store. Not fixed: a template
with no key or several keys, the store types without a fix in the table (global tables, SAM
`SimpleTable` and `StateMachine`, Firehose, OpenSearch, ECR, MSK, Kendra, Keyspaces, Amazon MQ,
AppConfig, RDS instances), resources a loop or macro generates, and JSON templates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svc_serverless.linter.model import LoadedRepo, Resource, Template
from svc_serverless.linter.rule import Finding, Problem, Rule
from svc_serverless.rules._globals import globals_nodes, globals_path, names
from svc_serverless.rules.kms import _store_checks as checks
from svc_serverless.rules.kms._keys import OwnKeys, own_keys, resource_anchor
from svc_serverless.rules.kms._store_checks import Check, Gap, key_at, when

if TYPE_CHECKING:
    from svc_serverless.fix.context import FixContext

REF, ARN = "<ref>", "<arn>"  # in a patch: !Ref <key>, !GetAtt <key>.Arn
REPLACES = "CloudFormation replaces the resource to change its key: a new, empty store"
DELIVERED = ("AWS services that write to it (or read it for others) need the key policy to "
             "allow them, which the fix does not change")


@dataclass(frozen=True)
class Store:
    """One row of the table: a resource type that holds data, and how its key is checked."""

    kind: str  # what the message calls it
    needs: str  # the encryption it needs, as the rule's page shows it
    fix: str  # "<key>" is replaced by the template's key name
    check: Check
    # What `svc lint --fix` merges into the resource's Properties (REF/ARN name the key); None:
    # no automatic fix. `unsafe`: why the fix may change what the deployed service does (then
    # only `--unsafe-fixes` applies it).
    patch: Mapping[str, Any] | None = None
    unsafe: str = ""


def _simple(kind: str, prop: str, missing: str, fix_ref: str = "!GetAtt <key>.Arn",
            unsafe: str = "") -> Store:
    """A store whose whole encryption is one key property."""
    return Store(kind, f"`{prop}`", f"set {prop}: {fix_ref}", key_at(key=prop, missing=missing),
                 {prop: ARN if "GetAtt" in fix_ref else REF}, unsafe)


def _flagged(kind: str, flag: str, prop: str, missing: str, unsafe: str = REPLACES) -> Store:
    """A store with an on/off switch beside its key property (`Encrypted: true`, `KmsKeyId`)."""
    return Store(kind, f"`{flag}: true` and `{prop}`",
                 f"set {flag}: true and {prop}: !GetAtt <key>.Arn",
                 key_at(key=prop, flag=(flag, True), missing=missing),
                 {flag: True, prop: ARN}, unsafe)


# The one table: every resource type that stores data and can take a customer managed key.
STORES: dict[str, Store] = {
    "AWS::DynamoDB::Table": Store(
        "DynamoDB table", "`SSESpecification {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId}`",
        "set SSESpecification {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !Ref <key>}",
        checks.dynamodb_table,
        patch={"SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": REF}},
    ),
    "AWS::DynamoDB::GlobalTable": Store(
        "DynamoDB global table",
        "`SSESpecification {SSEEnabled: true, SSEType: KMS}` and each replica's "
        "`SSESpecification.KMSMasterKeyId`",
        "set SSESpecification {SSEEnabled: true, SSEType: KMS} and each replica's "
        "SSESpecification {KMSMasterKeyId: !Ref <key>}",
        checks.global_table,
    ),
    "AWS::Serverless::SimpleTable": Store(
        "DynamoDB table", "always a finding: it cannot take a customer managed key", "",
        checks.simple_table,
    ),
    "AWS::SQS::Queue": Store(
        "SQS queue", "`KmsMasterKeyId` (`SqsManagedSseEnabled` is an SQS owned key)",
        "set KmsMasterKeyId: !Ref <key>", checks.queue,
        patch={"KmsMasterKeyId": REF}, unsafe=DELIVERED,
    ),
    "AWS::SNS::Topic": _simple("SNS topic", "KmsMasterKeyId",
                               "the topic is not encrypted with a customer managed key",
                               "!Ref <key>", unsafe=DELIVERED),
    "AWS::S3::Bucket": Store(
        "S3 bucket",
        "every `ServerSideEncryptionByDefault` with `SSEAlgorithm: aws:kms` (or `aws:kms:dsse`) "
        "and `KMSMasterKeyID`",
        "set BucketEncryption {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: "
        "{SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt <key>.Arn}, BucketKeyEnabled: true}]}",
        checks.bucket,
        patch={"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ARN}, "BucketKeyEnabled": True}]}}, unsafe=DELIVERED,
    ),
    "AWS::S3Express::DirectoryBucket": Store(
        "S3 directory bucket",
        "`BucketEncryption` with `SSEAlgorithm: aws:kms` and `KMSMasterKeyID`",
        "set BucketEncryption {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: "
        "{SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt <key>.Arn}}]}",
        checks.bucket,
    ),
    "AWS::Kinesis::Stream": Store(
        "Kinesis stream", "`StreamEncryption {EncryptionType: KMS, KeyId}`",
        "set StreamEncryption {EncryptionType: KMS, KeyId: !GetAtt <key>.Arn}",
        key_at("StreamEncryption", key="KeyId", kind=("EncryptionType", ("KMS",)),
               missing="the stream is not encrypted with a customer managed key"),
        patch={"StreamEncryption": {"EncryptionType": "KMS", "KeyId": ARN}},
    ),
    "AWS::KinesisFirehose::DeliveryStream": Store(
        "Firehose delivery stream",
        "`DeliveryStreamEncryptionConfigurationInput {KeyType: CUSTOMER_MANAGED_CMK, KeyARN}` "
        "(not for a Kinesis stream source, which the stream encrypts)",
        "set DeliveryStreamEncryptionConfigurationInput "
        "{KeyType: CUSTOMER_MANAGED_CMK, KeyARN: !GetAtt <key>.Arn}",
        checks.firehose,
    ),
    "AWS::KinesisVideo::Stream": _simple(
        "Kinesis video stream", "KmsKeyId", "it uses the AWS managed key aws/kinesisvideo",
        unsafe=REPLACES),
    "AWS::Logs::LogGroup": _simple("log group", "KmsKeyId",
                                   "CloudWatch Logs uses its own service key", unsafe=DELIVERED),
    "AWS::Serverless::Function": Store(
        "Lambda function", "`KmsKeyArn`, when it has environment variables",
        "set KmsKeyArn: !GetAtt <key>.Arn (for every function: in Globals.Function)",
        checks.function,
        patch={"KmsKeyArn": ARN},
    ),
    "AWS::Lambda::Function": Store(
        "Lambda function", "`KmsKeyArn`, when it has environment variables",
        "set KmsKeyArn: !GetAtt <key>.Arn", checks.function,
        patch={"KmsKeyArn": ARN},
    ),
    "AWS::StepFunctions::StateMachine": Store(
        "state machine", "`EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, KmsKeyId}`",
        "set EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, KmsKeyId: !GetAtt <key>.Arn}",
        checks.STATE_MACHINE,
        patch={"EncryptionConfiguration": {"Type": "CUSTOMER_MANAGED_KMS_KEY", "KmsKeyId": ARN}},
    ),
    "AWS::Serverless::StateMachine": Store(
        "state machine",
        "a finding unless it sets `EncryptionConfiguration`: SAM (aws-sam-translator 1.110) "
        "rejects that property, so use `AWS::StepFunctions::StateMachine`",
        "", checks.sam_state_machine,
    ),
    "AWS::StepFunctions::Activity": Store(
        "Step Functions activity",
        "`EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, KmsKeyId}`",
        "set EncryptionConfiguration {Type: CUSTOMER_MANAGED_KMS_KEY, KmsKeyId: !GetAtt <key>.Arn}",
        key_at("EncryptionConfiguration", key="KmsKeyId",
               kind=("Type", ("CUSTOMER_MANAGED_KMS_KEY",)),
               missing="Step Functions uses an AWS owned key"),
        patch={"EncryptionConfiguration": {"Type": "CUSTOMER_MANAGED_KMS_KEY", "KmsKeyId": ARN}}, unsafe=REPLACES,
    ),
    "AWS::SecretsManager::Secret": _simple(
        "secret", "KmsKeyId", "Secrets Manager uses the AWS managed key aws/secretsmanager",
        "!Ref <key>"),
    "AWS::Events::EventBus": _simple("event bus", "KmsKeyIdentifier",
                                     "EventBridge uses an AWS owned key", unsafe=DELIVERED),
    "AWS::Events::Archive": _simple("event archive", "KmsKeyIdentifier",
                                    "EventBridge uses an AWS owned key", unsafe=DELIVERED),
    "AWS::EFS::FileSystem": _flagged("EFS file system", "Encrypted", "KmsKeyId",
                                     "the file system is not encrypted with a customer managed key"),
    "AWS::FSx::FileSystem": _simple("FSx file system", "KmsKeyId",
                                    "FSx uses the AWS managed key aws/fsx", unsafe=REPLACES),
    "AWS::EC2::Volume": _flagged("EBS volume", "Encrypted", "KmsKeyId",
                                 "the volume is not encrypted with a customer managed key"),
    "AWS::RDS::DBCluster": _flagged("RDS cluster", "StorageEncrypted", "KmsKeyId",
                                    "the cluster is not encrypted with a customer managed key"),
    "AWS::RDS::DBInstance": Store(
        "RDS instance",
        "`StorageEncrypted: true` and `KmsKeyId` (not for an instance of a cluster, which the "
        "cluster encrypts)",
        "set StorageEncrypted: true and KmsKeyId: !GetAtt <key>.Arn",
        when(lambda props: "DBClusterIdentifier" not in props,
             key_at(key="KmsKeyId", flag=("StorageEncrypted", True),
                    missing="the instance is not encrypted with a customer managed key")),
    ),
    "AWS::DocDB::DBCluster": _flagged("DocumentDB cluster", "StorageEncrypted", "KmsKeyId",
                                      "the cluster is not encrypted with a customer managed key"),
    "AWS::DocDBElastic::Cluster": _simple("DocumentDB elastic cluster", "KmsKeyId",
                                          "it uses an AWS owned key", unsafe=REPLACES),
    "AWS::Neptune::DBCluster": _flagged("Neptune cluster", "StorageEncrypted", "KmsKeyId",
                                        "the cluster is not encrypted with a customer managed key"),
    "AWS::Redshift::Cluster": _flagged("Redshift cluster", "Encrypted", "KmsKeyId",
                                       "the cluster is not encrypted with a customer managed key"),
    "AWS::RedshiftServerless::Namespace": _simple("Redshift Serverless namespace", "KmsKeyId",
                                                  "it uses an AWS owned key"),
    "AWS::ElastiCache::ReplicationGroup": _flagged(
        "ElastiCache replication group", "AtRestEncryptionEnabled", "KmsKeyId",
        "the cache is not encrypted with a customer managed key"),
    "AWS::ElastiCache::ServerlessCache": _simple("ElastiCache serverless cache", "KmsKeyId",
                                                 "it uses an AWS owned key", unsafe=REPLACES),
    "AWS::MemoryDB::Cluster": _simple("MemoryDB cluster", "KmsKeyId",
                                      "MemoryDB uses its service managed key", unsafe=REPLACES),
    "AWS::OpenSearchService::Domain": Store(
        "OpenSearch domain", "`EncryptionAtRestOptions {Enabled: true, KmsKeyId}`",
        "set EncryptionAtRestOptions {Enabled: true, KmsKeyId: !Ref <key>}",
        key_at("EncryptionAtRestOptions", key="KmsKeyId", flag=("Enabled", True),
               missing="the domain is not encrypted with a customer managed key"),
    ),
    "AWS::Elasticsearch::Domain": Store(
        "Elasticsearch domain", "`EncryptionAtRestOptions {Enabled: true, KmsKeyId}`",
        "set EncryptionAtRestOptions {Enabled: true, KmsKeyId: !Ref <key>}",
        key_at("EncryptionAtRestOptions", key="KmsKeyId", flag=("Enabled", True),
               missing="the domain is not encrypted with a customer managed key"),
    ),
    "AWS::OpenSearchServerless::Collection": Store(
        "OpenSearch Serverless collection",
        "`EncryptionConfig {AWSOwnedKey: false, KmsKeyArn}`, or an encryption policy in this "
        "template (below)",
        "set EncryptionConfig {AWSOwnedKey: false, KmsKeyArn: !GetAtt <key>.Arn}",
        checks.collection,
    ),
    checks.SECURITY_POLICY: Store(
        "OpenSearch Serverless encryption policy",
        "`Type: encryption`: a `Policy` with `\"AWSOwnedKey\": false` and `\"KmsARN\"` "
        "(in a `!Sub` or `!ToJsonString`)",
        "set Policy: !Sub '{\"Rules\": [...], \"AWSOwnedKey\": false, "
        "\"KmsARN\": \"${<key>.Arn}\"}'",
        checks.security_policy,
    ),
    "AWS::Kendra::Index": Store(
        "Kendra index", "`ServerSideEncryptionConfiguration.KmsKeyId`",
        "set ServerSideEncryptionConfiguration {KmsKeyId: !Ref <key>}",
        key_at("ServerSideEncryptionConfiguration", key="KmsKeyId",
               missing="Kendra uses an AWS owned key"),
    ),
    "AWS::ECR::Repository": Store(
        "ECR repository", "`EncryptionConfiguration {EncryptionType: KMS, KmsKey}`",
        "set EncryptionConfiguration {EncryptionType: KMS, KmsKey: !GetAtt <key>.Arn}",
        key_at("EncryptionConfiguration", key="KmsKey",
               kind=("EncryptionType", ("KMS", "KMS_DSSE")),
               missing="ECR encrypts with S3 managed keys (AES256)"),
    ),
    "AWS::MSK::Cluster": Store(
        "MSK cluster", "`EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId`",
        "set EncryptionInfo {EncryptionAtRest: {DataVolumeKMSKeyId: !GetAtt <key>.Arn}}",
        key_at("EncryptionInfo", "EncryptionAtRest", key="DataVolumeKMSKeyId",
               missing="MSK uses the AWS managed key aws/kafka"),
    ),
    "AWS::Timestream::Database": _simple("Timestream database", "KmsKeyId",
                                         "Timestream uses the AWS managed key aws/timestream"),
    "AWS::Keyspaces::Table": Store(
        "Keyspaces table",
        "`EncryptionSpecification {EncryptionType: CUSTOMER_MANAGED_KMS_KEY, KmsKeyIdentifier}`",
        "set EncryptionSpecification {EncryptionType: CUSTOMER_MANAGED_KMS_KEY, "
        "KmsKeyIdentifier: !GetAtt <key>.Arn}",
        key_at("EncryptionSpecification", key="KmsKeyIdentifier",
               kind=("EncryptionType", ("CUSTOMER_MANAGED_KMS_KEY",)),
               missing="Keyspaces uses an AWS owned key"),
    ),
    "AWS::AmazonMQ::Broker": Store(
        "Amazon MQ broker",
        "`EncryptionOptions {UseAwsOwnedKey: false, KmsKeyId}` (not for RabbitMQ, which cannot "
        "take one)",
        "set EncryptionOptions {UseAwsOwnedKey: false, KmsKeyId: !GetAtt <key>.Arn}",
        when(lambda props: str(props.get("EngineType", "")).upper() != "RABBITMQ",
             key_at("EncryptionOptions", key="KmsKeyId", flag=("UseAwsOwnedKey", False),
                    missing="Amazon MQ uses an AWS owned key")),
    ),
    "AWS::Backup::BackupVault": _simple("backup vault", "EncryptionKeyArn",
                                        "AWS Backup uses its AWS managed key aws/backup", unsafe=REPLACES),
    "AWS::CloudTrail::Trail": _simple("CloudTrail trail", "KMSKeyId",
                                      "the trail's log files use S3 managed keys (SSE-S3)",
                                      unsafe=DELIVERED),
    "AWS::CodeCommit::Repository": _simple("CodeCommit repository", "KmsKeyId",
                                           "CodeCommit uses the AWS managed key aws/codecommit"),
    "AWS::AppConfig::ConfigurationProfile": Store(
        "AppConfig configuration profile",
        "`KmsKeyIdentifier`, for hosted configurations (`LocationUri: hosted`)",
        "set KmsKeyIdentifier: !GetAtt <key>.Arn",
        when(lambda props: props.get("LocationUri") == "hosted",
             key_at(key="KmsKeyIdentifier", missing="AppConfig uses an AWS owned key")),
    ),
}


def _page(doc: str) -> str:
    """The rule's page with the table rendered from STORES, so the two cannot disagree."""
    rows = ["| resource | encryption it needs |", "|---|---|"]
    rows += [f"| `{rtype}` | {store.needs} |" for rtype, store in STORES.items()]
    return doc.replace("{stores}", "\n".join(rows))


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    keys: OwnKeys | None = None
    from_globals: dict[tuple[int, str], list[tuple[Resource, Gap]]] = {}
    shared = globals_nodes(template)
    for resource in template.of_type(*STORES):
        keys = keys or own_keys(template)
        for gap in STORES[resource.type].check(resource, keys, resource_anchor(template, resource),
                                               template):
            if id(gap.node) in shared:  # one value of Globals, merged into every function
                from_globals.setdefault((id(gap.node), gap.reason), []).append((resource, gap))
            else:
                yield _problem(template, [resource], gap, keys)
    for group in from_globals.values():
        yield _problem(template, [r for r, _ in group], group[0][1], keys or own_keys(template))


def _problem(template: Template, resources: list[Resource], gap: Gap, keys: OwnKeys) -> Problem:
    first = resources[0]
    store = STORES[first.type]
    fix = (gap.fix or store.fix).replace("<key>", keys.example)
    anchor = resource_anchor(template, first)
    shown = names(resources)
    what, path = f"{store.kind} {shown} is", first.path(*gap.path)
    if len(resources) > 1:  # reported once, at the Globals value, naming every resource it reaches
        what, path = f"{store.kind}s {shown} are", globals_path(first, *gap.path)
    return Problem(
        f"{what} not encrypted with this service's own KMS key ({gap.reason}): {fix}",
        node=gap.node if getattr(gap.node, "line", 0) else anchor,  # ints/bools: no line
        path=path,
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
    from svc_serverless.linter.model import GLOBALS_SECTIONS

    types = repo.policy.option("KMS002", "data-store-types")
    template = repo.template
    for problem in check(repo):
        kind, _, rest = problem.path.partition("/")
        name = rest.split("/", 1)[0]
        if kind == "Globals":  # one finding for every function a Globals value reaches
            rtype = GLOBALS_SECTIONS.get(name)
        else:
            resource = template.resource(name) if template is not None else None
            rtype = resource.type if resource is not None else None
        if types is None or rtype is None or rtype in types:
            yield problem


def _fix(ctx: FixContext, findings: Sequence[Finding]) -> None:
    from svc_serverless.fix.kms import fix_data_stores

    fix_data_stores(ctx, findings)


RULE = Rule(
    code="KMS002",
    name="data-store-own-key",
    severity="error",
    tags=("kms", "share-nothing", "security"),
    doc=_page(__doc__ or ""),
    check=_with_options,
    options=OPTIONS,
    fix=_fix,
    fix_safety="partly-unsafe",
)
