"""Shared test fixtures. Every test runs against moto's in-memory AWS: nothing reaches AWS."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# Set before boto3 is first used, whatever the developer's shell holds: fake credentials, a
# fixed region and no profile, so a forgotten mock can never touch a real account.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # Newer SDKs address DynamoDB (Streams) by account endpoints, which moto does not serve.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "TABLE_NAME": "billing-test",
        "IDEMPOTENCY_TABLE_NAME": "billing-idempotency-test",
        "EVENT_SOURCE": "billing",
        "EVENT_BUS_NAME": "default",
        "POWERTOOLS_SERVICE_NAME": "billing",
        "POWERTOOLS_METRICS_NAMESPACE": "billing",
    }
)
os.environ.pop("AWS_PROFILE", None)

ROOT = Path(__file__).resolve().parent
Published = Callable[[], list[dict[str, Any]]]


def _key_schema() -> dict[str, Any]:
    return {
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


@pytest.fixture
def aws() -> Iterator[None]:
    """moto's AWS with the service's tables, as template.yaml defines them."""
    from moto import mock_aws

    with mock_aws():
        import boto3

        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=os.environ["TABLE_NAME"],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            **_key_schema(),
        )
        dynamodb.create_table(TableName=os.environ["IDEMPOTENCY_TABLE_NAME"], **_key_schema())
        yield


def load_handler(function: str) -> ModuleType:
    """A fresh import of functions/<function>/handler.py (every function has a handler.py)."""
    path = ROOT / "functions" / function / "handler.py"
    spec = importlib.util.spec_from_file_location(f"{function}_handler", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def router(aws: None) -> ModuleType:
    return load_handler("router")


@pytest.fixture
def receiver(aws: None) -> ModuleType:
    return load_handler("receiver")


@pytest.fixture
def publisher(aws: None) -> ModuleType:
    return load_handler("publisher")


@pytest.fixture
def relay(publisher: ModuleType) -> Callable[[], list[dict[str, Any]]]:
    """Returns a function that does what Lambda's stream event source does: hands the table's new
    stream records to the publisher, and (like ReportBatchItemFailures) hands the failed ones
    again on the next call. It returns the publisher's answer for each batch."""
    import boto3

    streams = boto3.client("dynamodbstreams")
    table = boto3.client("dynamodb").describe_table(TableName=os.environ["TABLE_NAME"])["Table"]
    stream = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    start = streams.get_shard_iterator(StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    pending: list[dict[str, Any]] = []
    iterator = [start["ShardIterator"]]

    def run() -> list[dict[str, Any]]:
        response = streams.get_records(ShardIterator=iterator[0])
        iterator[0] = response["NextShardIterator"]
        pending.extend(response["Records"])
        answers = []
        while pending:
            answer = publisher.handler({"Records": list(pending)}, None)
            answers.append(answer)
            failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
            pending[:] = [record for record in pending if record["dynamodb"]["SequenceNumber"] in failed]
            if failed:
                break
        return answers

    return run


@pytest.fixture
def published(aws: None) -> Published:
    """Returns a function that lists the events put on the default bus with the service's source so far."""
    import boto3

    sqs = boto3.client("sqs")
    events = boto3.client("events")
    queue_url = sqs.create_queue(QueueName="published-events")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    queue_arn = attributes["QueueArn"]
    pattern = {"source": [os.environ["EVENT_SOURCE"]]}
    events.put_rule(Name="all-from-service", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="all-from-service", Targets=[{"Id": "capture", "Arn": queue_arn}])
    seen: list[dict[str, Any]] = []

    def read() -> list[dict[str, Any]]:
        while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            seen.extend(json.loads(message["Body"]) for message in messages)
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
            )
        return list(seen)

    return read
