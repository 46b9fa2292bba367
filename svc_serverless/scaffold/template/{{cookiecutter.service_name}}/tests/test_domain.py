{%- set Entity = cookiecutter.__entity_pascal -%}
"""The shared domain layer, tested once here for both functions."""

from __future__ import annotations

import os
from typing import Any

import pytest
from {{ cookiecutter.__domain_package }} import (
    CREATED,
    Conflict,
    EventPublisher,
    NotFound,
    Repository,
    ValidationFailed,
)
from {{ cookiecutter.__domain_package }}.service import (
    {{ Entity }}Service as Service,
)


class RecordingPublisher(EventPublisher):
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        self.events.append((detail_type, detail))


@pytest.fixture
def repository(aws: None) -> Repository:
    import boto3

    return Repository(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))


@pytest.fixture
def service(repository: Repository) -> Service:
    ids = iter(f"id-{n}" for n in range(100))
    clock = lambda: "2025-01-01T00:00:00+00:00"  # noqa: E731
    return Service(repository, RecordingPublisher(), clock=clock, new_id=lambda: next(ids))


def test_create_sets_service_fields_and_publishes(service: Service) -> None:
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
    assert service._publisher.events == [(CREATED, {"id": "id-0", "{{ cookiecutter.__entity_camel }}": item})]  # type: ignore[attr-defined]


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
        publisher = EventPublisher(Refusing(), source="{{ cookiecutter.service_name }}")
        publisher.publish(CREATED, {"id": "x"})
