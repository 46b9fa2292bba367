"""__NAME__: runs on its schedule."""

from __future__ import annotations

import logging
import os
from typing import Any

LOG = logging.getLogger(__name__)
LOG.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    LOG.info("scheduled run", extra={"time": event.get("time")})
    return {"ran": True}
