"""Publishing the service's events to the account's default EventBridge bus."""

from __future__ import annotations

import json
from typing import Any


class EventPublisher:
    """Puts events with this service as their source.

    `client` is a boto3 EventBridge client. The functions' IAM policies only allow
    events:PutEvents with this source, so it is fixed here:
    {{ cookiecutter.service_name }}
    """

    def __init__(self, client: Any, source: str, bus_name: str = "default") -> None:
        self._client = client
        self._source = source
        self._bus_name = bus_name

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        response = self._client.put_events(
            Entries=[
                {
                    "Source": self._source,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str),
                    "EventBusName": self._bus_name,
                }
            ]
        )
        if response.get("FailedEntryCount"):
            failure = response["Entries"][0]
            raise RuntimeError(
                f"EventBridge refused {detail_type}: {failure.get('ErrorCode')} {failure.get('ErrorMessage')}"
            )
