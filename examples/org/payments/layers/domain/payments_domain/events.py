"""The service's events: thin notices of committed changes, published to the default bus.

The table's stream is the outbox: the publisher function turns each committed change into one
event here, so an event is never published for a write that failed, and a write never goes
without its event. Events carry the id, the new version and the names of the changed fields,
never the data: consumers read the payment through the API,
so the data stays behind the service's key and its IAM policy.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

# The events this service publishes, with source "payments";
# catalog-info.yaml lists them.
CREATED = "PaymentCreated"
UPDATED = "PaymentUpdated"
DELETED = "PaymentDeleted"

_DETAIL_TYPES = {"INSERT": CREATED, "MODIFY": UPDATED, "REMOVE": DELETED}
# Set by the service on every write: never news by themselves.
_BOOKKEEPING = frozenset({"id", "version", "createdAt", "updatedAt"})


class Event(NamedTuple):
    detail_type: str
    detail: dict[str, Any]


def change_event(record: dict[str, Any]) -> Event:
    """The event for one DynamoDB stream record (NEW_AND_OLD_IMAGES).

    Consumers may see an event twice (EventBridge delivers at least once): `id` and `version`
    together identify it.
    """
    change = record["dynamodb"]
    new, old = change.get("NewImage", {}), change.get("OldImage", {})
    image = new or old
    names = (set(new) | set(old)) - _BOOKKEEPING
    changed = sorted(name for name in names if new.get(name) != old.get(name))
    detail = {"id": image["id"]["S"], "version": int(image["version"]["N"]), "changedFields": changed}
    return Event(_DETAIL_TYPES[record["eventName"]], detail)


class EventPublisher:
    """Puts events with this service as their source.

    `client` is a boto3 EventBridge client. The publisher function's IAM policy only allows
    events:PutEvents with this source, so it is fixed here:
    payments
    """

    def __init__(self, client: Any, source: str, bus_name: str = "default") -> None:
        self._client = client
        self._source = source
        self._bus_name = bus_name

    def publish(self, event: Event) -> None:
        response = self._client.put_events(
            Entries=[
                {
                    "Source": self._source,
                    "DetailType": event.detail_type,
                    "Detail": json.dumps(event.detail),
                    "EventBusName": self._bus_name,
                }
            ]
        )
        if response.get("FailedEntryCount"):
            failure = response["Entries"][0]
            reason = f"{failure.get('ErrorCode')} {failure.get('ErrorMessage')}"
            raise RuntimeError(f"EventBridge refused {event.detail_type}: {reason}")
