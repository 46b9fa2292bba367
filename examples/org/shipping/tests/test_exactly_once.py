"""Exactly-once effects from at-least-once delivery, end to end against moto.

SQS redelivers messages, clients retry requests, EventBridge throttles: whatever happens, one
command or request makes one shipment and one ShipmentCreated event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

Published = Callable[[], list[dict[str, Any]]]
Relay = Callable[[], list[dict[str, Any]]]
COLLECTION = "/shipping/shipments"
CREATED = "ShipmentCreated"


@pytest.fixture
def throttled_once(publisher: ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """EventBridge throttles the publisher's first PutEvents call; returns the calls made."""
    from botocore.exceptions import ClientError

    client = publisher.default_publisher()._client
    put_events = client.put_events
    calls: list[str] = []

    def flaky(**request: Any) -> Any:
        calls.append(request["Entries"][0]["DetailType"])
        if len(calls) == 1:
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
            raise ClientError(error, "PutEvents")
        return put_events(**request)

    monkeypatch.setattr(client, "put_events", flaky)
    return calls


def table_items(router: ModuleType) -> list[dict[str, Any]]:
    response = router.handler({"routeKey": f"GET {COLLECTION}"}, None)
    return json.loads(response["body"])["items"]


def test_redelivered_command_with_a_throttled_publish_makes_one_item_and_one_event(
    receiver: ModuleType, router: ModuleType, relay: Relay, published: Published, throttled_once: list[str]
) -> None:
    command = {"action": "create", "data": {"name": "a"}}
    message = {"Records": [{"messageId": "m-1", "body": json.dumps(command), "eventSource": "aws:sqs"}]}

    assert receiver.handler(message) == {"batchItemFailures": []}
    first = relay()  # PutEvents is throttled: the change stays on the stream
    assert receiver.handler(message) == {"batchItemFailures": []}  # SQS delivers the message again
    second = relay()  # the stream hands the failed change to the publisher again

    assert [len(answer["batchItemFailures"]) for answer in first] == [1]
    assert [answer["batchItemFailures"] for answer in second] == [[]]
    assert throttled_once == [CREATED] * 2
    (item,) = table_items(router)
    assert [(e["detail-type"], e["detail"]["id"]) for e in published()] == [(CREATED, item["id"])]


def test_retried_post_with_the_same_idempotency_key_makes_one_item_and_one_event(
    router: ModuleType, relay: Relay, published: Published, throttled_once: list[str]
) -> None:
    post = {
        "routeKey": f"POST {COLLECTION}",
        "headers": {"idempotency-key": "client-request-1"},
        "body": json.dumps({"name": "a"}),
    }

    first = router.handler(post, None)
    relay()  # throttled
    retry = router.handler(post, None)  # the client did not get the first answer and retries
    relay()

    assert first["statusCode"] == retry["statusCode"] == 201
    assert json.loads(retry["body"]) == json.loads(first["body"])
    (item,) = table_items(router)
    assert [(e["detail-type"], e["detail"]["id"]) for e in published()] == [(CREATED, item["id"])]
