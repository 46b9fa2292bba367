"""Publisher: the relay of the payments-v2 service's transactional outbox.

Invoked with batches of the table's stream records (committed changes, in order per
payment), it puts one event per change on the default bus (events.py in the layer says
what an event holds). Changes are published one by one, in order: on the first failure that
change and every later one of the batch are reported as failed, so the stream retries from
there and no event is published twice or out of order. Changes that still fail after every
retry go to EventsDeadLetterQueue.

Powertools batch processing is not used here on purpose: it would go on with the changes after
a failure, and their events would be published again when the stream retries the batch.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from payments_v2_domain import EventPublisher, change_event

LOG = Logger()
METRICS = Metrics()


@lru_cache(maxsize=1)
def default_publisher() -> EventPublisher:
    # Built on first use, not at import, so tests can set the environment and mock AWS first.
    import boto3

    return EventPublisher(
        boto3.client("events"),
        source=os.environ["EVENT_SOURCE"],
        bus_name=os.environ.get("EVENT_BUS_NAME", "default"),
    )


def handler(
    event: dict[str, Any], context: Any = None, publisher: EventPublisher | None = None
) -> dict[str, Any]:
    publisher = publisher or default_publisher()
    records = event.get("Records", [])
    failures: list[dict[str, str]] = []
    for index, record in enumerate(records):
        try:
            publisher.publish(change_event(record))
        except Exception:
            LOG.exception(
                "publishing failed; the stream retries from this change",
                extra={"eventID": record.get("eventID")},
            )
            failures = [{"itemIdentifier": later["dynamodb"]["SequenceNumber"]} for later in records[index:]]
            break
    published = len(records) - len(failures)
    if published:
        METRICS.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=published)
    if failures:
        # The function itself succeeds (the stream retries the reported changes): this metric
        # is what PublisherFailuresAlarm watches.
        METRICS.add_metric(name="EventsNotPublished", unit=MetricUnit.Count, value=1)
    METRICS.flush_metrics()
    return {"batchItemFailures": failures}
