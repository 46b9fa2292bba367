"""__NAME__: handles the events its EventBridge rule matches."""

from __future__ import annotations

import logging
import os
from typing import Any

LOG = logging.getLogger(__name__)
LOG.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    LOG.info("event", extra={"source": event.get("source"), "detailType": event.get("detail-type")})
    return {"handled": event.get("detail-type")}
