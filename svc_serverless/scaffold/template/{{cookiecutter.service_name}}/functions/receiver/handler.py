{%- set Entity = cookiecutter.__entity_pascal -%}
"""Receiver: runs the commands of the {{ cookiecutter.service_name }} service.

Commands are JSON objects such as {"action": "create", "data": {...}},
{"action": "update", "id": "...", "data": {...}}, {"action": "delete", "id": "..."} or
{"action": "process", "id": "..."}. They arrive two ways:

- from the SQS queue, in batches: failed messages are reported one by one
  (ReportBatchItemFailures) so the others are not retried; after five failures a message
  moves to the dead-letter queue;
- invoked directly by the service's own workflow with one command: the result is returned
  and an error fails the workflow step.
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from typing import Any

from {{ cookiecutter.__domain_package }} import (
    EventPublisher,
    Repository,
)
from {{ cookiecutter.__domain_package }}.service import (
    {{ Entity }}Service as Service,
)

LOG = logging.getLogger(__name__)
LOG.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))


@lru_cache(maxsize=1)
def default_service() -> Service:
    # Built on first use, not at import, so tests can set the environment and mock AWS first;
    # cached so warm invocations reuse the clients.
    import boto3

    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    publisher = EventPublisher(
        boto3.client("events"),
        source=os.environ["EVENT_SOURCE"],
        bus_name=os.environ.get("EVENT_BUS_NAME", "default"),
    )
    return Service(Repository(table), publisher)


def handler(event: dict[str, Any], context: Any = None, service: Service | None = None) -> dict[str, Any]:
    service = service or default_service()
    if "Records" in event:
        return _run_batch(event["Records"], service)
    return service.handle(event)


def _run_batch(records: list[dict[str, Any]], service: Service) -> dict[str, Any]:
    failures = []
    for record in records:
        try:
            service.handle(json.loads(record["body"]))
        except Exception:
            LOG.exception("command failed", extra={"messageId": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
