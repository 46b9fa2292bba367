"""Receiver: runs the commands of the payments service.

Commands are JSON objects such as {"action": "create", "data": {...}},
{"action": "update", "id": "...", "data": {...}}, {"action": "delete", "id": "..."} or
{"action": "process", "id": "..."}. They arrive two ways:

- from the SQS queue, in batches: failed messages are reported one by one
  (ReportBatchItemFailures, Powertools batch processing) so the others are not retried; after
  five failures a message moves to the dead-letter queue. SQS delivers at least once, so each
  message runs once per message id (Powertools idempotency): a redelivered message gets the
  first result instead of a second write;
- invoked directly by the service's own workflow with one command: the result is returned
  and an error fails the workflow step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from payments_domain import Repository, parse
from payments_domain.service import (
    PaymentService as Service,
)

LOG = Logger()
METRICS = Metrics()
IDEMPOTENCY_SECONDS = 24 * 60 * 60


class App(NamedTuple):
    """What the handler needs: the domain service and its command runner, once per message."""

    service: Service
    run_once: Any  # run_once(record=<an SQS record>) -> the command's result
    config: IdempotencyConfig | None = None


@lru_cache(maxsize=1)
def default_app() -> App:
    # Built on first use, not at import, so tests can set the environment and mock AWS first;
    # cached so warm invocations reuse the clients.
    import boto3

    service = Service(Repository(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])))
    store = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE_NAME"])
    config = IdempotencyConfig(event_key_jmespath="messageId", expires_after_seconds=IDEMPOTENCY_SECONDS)

    @idempotent_function(data_keyword_argument="record", config=config, persistence_store=store)
    def run_once(record: dict[str, Any]) -> dict[str, Any]:
        return service.handle(parse(record["body"]))

    return App(service, run_once, config)


def handler(event: dict[str, Any], context: Any = None, app: App | None = None) -> dict[str, Any]:
    app = app or default_app()
    if app.config is not None and context is not None:
        app.config.register_lambda_context(context)
    if "Records" in event:
        return _run_batch(event, context, app)
    return app.service.handle(event)


def _run_batch(event: dict[str, Any], context: Any, app: App) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS)

    def run(record: Any) -> Any:
        try:
            return app.run_once(record=record.raw_event)
        except Exception:
            LOG.exception("command failed", extra={"messageId": record.message_id})
            raise

    try:
        return process_partial_response(event=event, record_handler=run, processor=processor, context=context)
    finally:
        # Failed commands count here (the function itself succeeds); CommandFailuresAlarm
        # watches the metric.
        failed = len(processor.fail_messages)
        if failed:
            METRICS.add_metric(name="CommandsFailed", unit=MetricUnit.Count, value=failed)
        METRICS.flush_metrics()
