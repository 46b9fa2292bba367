"""__NAME__: handles the messages of its own queue, reporting failures one by one."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

LOG = logging.getLogger(__name__)
LOG.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))


def handle(message: dict[str, Any]) -> None:
    """One message's work. Raise to have the message retried (then dead-lettered)."""
    LOG.info("message", extra={"keys": sorted(message)})


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        try:
            handle(json.loads(record["body"]))
        except Exception:  # noqa: BLE001 - one bad message must not fail its whole batch
            LOG.exception("message failed", extra={"messageId": record.get("messageId")})
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
