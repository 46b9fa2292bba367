"""The shared domain layer, tested once here for both functions."""

from __future__ import annotations

import os
from typing import Any

import pytest

from shipping_domain import (
    CREATED,
    DELETED,
    UPDATED,
    Conflict,
    Event,
    EventPublisher,
    NotFound,
    Repository,
    ValidationFailed,
    change_event,
    parse,
)
from shipping_domain.service import (
    ShipmentService as Service,
)


@pytest.fixture
def repository(aws: None) -> Repository:
    import boto3

    return Repository(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))


@pytest.fixture
def service(repository: Repository) -> Service:
    ids = iter(f"id-{n}" for n in range(100))
    clock = lambda: "2025-01-01T00:00:00+00:00"  # noqa: E731
    return Service(repository, clock=clock, new_id=lambda: next(ids))


def test_create_sets_service_fields(service: Service) -> None:
    item = service.create({"name": "a", "price": 9.5})

    assert item == {
        "name": "a",
        "price": 9.5,
        "id": "id-0",
        "version": 1,
        "createdAt": "2025-01-01T00:00:00+00:00",
        "updatedAt": "2025-01-01T00:00:00+00:00",
    }
    assert service.get("id-0") == item


def test_stale_write_is_a_conflict(repository: Repository, service: Service) -> None:
    item = service.create({"name": "a"})
    service.update(item["id"], {"name": "b"})

    with pytest.raises(Conflict):
        repository.replace({**item, "name": "stale", "version": 2}, expected_version=item["version"])


def test_reserved_and_oversized_fields_are_refused(service: Service) -> None:
    with pytest.raises(ValidationFailed):
        service.create({"version": 7})
    with pytest.raises(ValidationFailed):
        service.create({"blob": "x" * 70_000})
    with pytest.raises(ValidationFailed):
        service.get("")


def test_unknown_command_is_refused(service: Service) -> None:
    with pytest.raises(ValidationFailed, match="unknown action"):
        service.handle({"action": "launch"})


def test_deleting_twice_is_not_found(service: Service) -> None:
    item = service.create({"name": "a"})
    service.delete(item["id"])

    with pytest.raises(NotFound):
        service.delete(item["id"])


def test_publisher_raises_when_eventbridge_refuses() -> None:
    class Refusing:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "AccessDenied", "ErrorMessage": "no"}]}

    with pytest.raises(RuntimeError, match="AccessDenied"):
        publisher = EventPublisher(Refusing(), source="shipping")
        publisher.publish(Event(CREATED, {"id": "x"}))


def test_change_events_name_the_changed_fields_but_carry_no_data() -> None:
    def image(version: int, **fields: str) -> dict[str, Any]:
        return {"id": {"S": "x"}, "version": {"N": str(version)}, "updatedAt": {"S": str(version)}} | {
            name: {"S": value} for name, value in fields.items()
        }

    inserted = {"eventName": "INSERT", "dynamodb": {"NewImage": image(1, name="secret")}}
    modified = {
        "eventName": "MODIFY",
        "dynamodb": {"NewImage": image(2, name="b", a="1"), "OldImage": image(1, name="secret", a="1")},
    }
    removed = {"eventName": "REMOVE", "dynamodb": {"OldImage": image(2, name="b")}}

    assert change_event(inserted) == Event(CREATED, {"id": "x", "version": 1, "changedFields": ["name"]})
    assert change_event(modified) == Event(UPDATED, {"id": "x", "version": 2, "changedFields": ["name"]})
    assert change_event(removed) == Event(DELETED, {"id": "x", "version": 2, "changedFields": ["name"]})
    assert "secret" not in repr([change_event(inserted), change_event(modified)])


@pytest.mark.parametrize(
    "text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e400", "-1e126", "1e-200", "9" * 39, "{"]
)
def test_parse_refuses_what_the_table_cannot_store(text: str) -> None:
    with pytest.raises(ValidationFailed):
        parse(text)


def test_parse_keeps_ordinary_json() -> None:
    text = '{"a": [1, 2.5, -3e10, 0.0, "x", null, true]}'

    assert parse(text) == {"a": [1, 2.5, -3e10, 0.0, "x", None, True]}
