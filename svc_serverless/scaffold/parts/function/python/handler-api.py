"""__NAME__: answers GET /__SERVICE__/__NAME__ on the service's HTTP API."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

LOG = logging.getLogger(__name__)
LOG.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    LOG.info("request", extra={"route": event.get("routeKey")})
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"function": "__NAME__"}),
    }
