"""Shared test fixtures. Every test runs against moto's in-memory AWS: nothing reaches AWS."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
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
        "TABLE_NAME": "{{ cookiecutter.service_name }}-test",
        "EVENT_SOURCE": "{{ cookiecutter.service_name }}",
        "EVENT_BUS_NAME": "default",
    }
)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def aws() -> Iterator[None]:
    """moto's AWS with the service's table, as template.yaml defines it."""
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("dynamodb").create_table(
            TableName=os.environ["TABLE_NAME"],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield


@pytest.fixture
def published(aws: None) -> Callable[[], list[dict[str, Any]]]:
    """Returns a function that lists the events the service put on the default bus so far."""
    import boto3

    sqs = boto3.client("sqs")
    events = boto3.client("events")
    queue_url = sqs.create_queue(QueueName="published-events")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    queue_arn = attributes["QueueArn"]
    pattern = {"source": [os.environ["EVENT_SOURCE"]]}
    events.put_rule(Name="all-from-service", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="all-from-service", Targets=[{"Id": "capture", "Arn": queue_arn}])

    def read() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    return read
