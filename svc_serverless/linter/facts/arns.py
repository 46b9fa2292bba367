"""ARNs and physical names: which service's resource a value names."""

from __future__ import annotations

import re

SUB_VAR = re.compile(r"\$\{([^}!${]*)\}")  # no "${" inside: linear on "${${${..."
_PSEUDO = re.compile(r"\$\{[^${}]*::[^${}]*\}")
RESOLVE_SSM = re.compile(r"\{\{resolve:ssm(?:-secure)?:([^:}]+)")
NAME_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,254}$")
_SECRET_SUFFIX = re.compile(r"-(?:[A-Za-z0-9]{6}|\?{6})$")

# Properties that give a resource a physical name others could refer to: type -> (property, ns).
OWNED_NAME_PROPERTIES: dict[str, tuple[str, str]] = {
    "AWS::DynamoDB::Table": ("TableName", "dynamodb"),
    "AWS::DynamoDB::GlobalTable": ("TableName", "dynamodb"),
    "AWS::Serverless::SimpleTable": ("TableName", "dynamodb"),
    "AWS::SQS::Queue": ("QueueName", "sqs"),
    "AWS::SNS::Topic": ("TopicName", "sns"),
    "AWS::Lambda::Function": ("FunctionName", "lambda"),
    "AWS::Serverless::Function": ("FunctionName", "lambda"),
    "AWS::S3::Bucket": ("BucketName", "s3"),
    "AWS::StepFunctions::StateMachine": ("StateMachineName", "states"),
    "AWS::Serverless::StateMachine": ("Name", "states"),
    "AWS::Events::EventBus": ("Name", "events"),
    "AWS::KMS::Alias": ("AliasName", "kms"),
    "AWS::Logs::LogGroup": ("LogGroupName", "logs"),
    "AWS::Kinesis::Stream": ("Name", "kinesis"),
    "AWS::SecretsManager::Secret": ("Name", "secretsmanager"),
    "AWS::IAM::Role": ("RoleName", "iam"),
}


def arn_resource(arn: str) -> tuple[str, str] | None:
    """(namespace, resource name) of an ARN, for the services whose names svc tracks.

    ssm parameters come back as ("ssm", "/path"). Names that are not literal (`${...}`) or are
    wildcards cannot be attributed to an owner and give None.
    """
    # `${AWS::Region}` and friends hold colons: make them colon-free placeholders that still
    # mark a name built from them as not literal.
    parts = _PSEUDO.sub("${}", arn).split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    namespace, resource = parts[2], parts[5]
    name = _resource_name(namespace, resource)
    if not name or "${" in name or "*" in name or "?" in name:
        return None
    return namespace, name


def _after(resource: str, prefix: str) -> str:
    return resource[len(prefix):] if resource.startswith(prefix) else ""


def _resource_name(namespace: str, resource: str) -> str:
    if namespace in ("sns", "sqs"):
        return resource.split(":", 1)[0]
    if namespace == "s3":
        return resource.split("/", 1)[0]
    if namespace == "dynamodb":
        return _after(resource, "table/").split("/", 1)[0]
    if namespace == "lambda":
        return _after(resource, "function:").split(":", 1)[0]
    if namespace == "states":
        rest = _after(resource, "stateMachine:") or _after(resource, "execution:")
        return rest.split(":", 1)[0]
    if namespace == "events":
        return _after(resource, "event-bus/")
    if namespace == "kms":
        return resource if resource.startswith("alias/") else ""
    if namespace == "logs":
        return _after(resource, "log-group:").split(":", 1)[0]
    if namespace == "kinesis":
        return _after(resource, "stream/").split("/", 1)[0]
    if namespace == "secretsmanager":
        return _SECRET_SUFFIX.sub("", _after(resource, "secret:"))
    if namespace == "iam":
        return _after(resource, "role/").rsplit("/", 1)[-1]
    if namespace == "ssm":
        path = _after(resource, "parameter")
        return path if path.startswith("/") else ""
    return ""
