"""The publisher function (functions/publisher/handler.py): the outbox relay, against moto."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from payments_domain import Event

Published = Callable[[], list[dict[str, Any]]]


Image = dict[str, Any]


def change(sequence: str, name: str, new: Image | None, old: Image | None = None) -> dict[str, Any]:
    images = {key: image for key, image in (("NewImage", new), ("OldImage", old)) if image is not None}
    return {"eventID": sequence, "eventName": name, "dynamodb": {"SequenceNumber": sequence, **images}}


def image(item_id: str, version: int, **fields: str) -> dict[str, Any]:
    return {"id": {"S": item_id}, "version": {"N": str(version)}, **{k: {"S": v} for k, v in fields.items()}}


class FailingOn:
    """Refuses the event of one payment id and records the others."""

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        if event.detail["id"] == self.item_id:
            raise RuntimeError("ThrottlingException")
        self.events.append(event)


def test_every_change_becomes_one_thin_event(publisher: ModuleType, published: Published) -> None:
    records = [
        change("1", "INSERT", image("a", 1, name="x")),
        change("2", "MODIFY", image("a", 2, name="y", keep="k"), image("a", 1, name="x", keep="k")),
        change("3", "REMOVE", None, image("a", 2, name="y")),
    ]

    result = publisher.handler({"Records": records})

    assert result == {"batchItemFailures": []}
    assert [(e["detail-type"], e["detail"]) for e in published()] == [
        ("PaymentCreated", {"id": "a", "version": 1, "changedFields": ["name"]}),
        ("PaymentUpdated", {"id": "a", "version": 2, "changedFields": ["name"]}),
        ("PaymentDeleted", {"id": "a", "version": 2, "changedFields": ["name"]}),
    ]


def test_a_failure_stops_the_batch_so_no_event_is_published_twice(publisher: ModuleType) -> None:
    records = [change(str(n), "INSERT", image(item_id, 1)) for n, item_id in enumerate(["a", "b", "c"])]
    target = FailingOn("b")

    result = publisher.handler({"Records": records}, None, target)

    assert [e.detail["id"] for e in target.events] == ["a"]
    assert result == {"batchItemFailures": [{"itemIdentifier": "1"}, {"itemIdentifier": "2"}]}
