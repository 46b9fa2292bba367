"""What the service does with payments, whichever function is asked.

The router calls it for HTTP requests, the receiver for commands from the queue or the
workflow: one implementation, so the two entry points cannot drift apart. It only writes the
table: the publisher function publishes the events of the committed changes (events.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from payments_v2_domain.errors import NotFound, ValidationFailed
from payments_v2_domain.repository import Repository

RESERVED_FIELDS = frozenset({"id", "version", "createdAt", "updatedAt"})
MAX_BYTES = 64 * 1024
MAX_PAGE = 100


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _new_id() -> str:
    return str(uuid.uuid4())


class PaymentService:
    def __init__(
        self,
        repository: Repository,
        clock: Callable[[], str] = _now,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._new_id = new_id

    def create(self, data: Any) -> dict[str, Any]:
        fields = _validated(data)
        now = self._clock()
        item = {**fields, "id": self._new_id(), "version": 1, "createdAt": now, "updatedAt": now}
        self._repository.create(item)
        return item

    def get(self, item_id: str) -> dict[str, Any]:
        item = self._repository.get(_validated_id(item_id))
        if item is None:
            raise NotFound(f"no payment with id {item_id!r}")
        return item

    def list(self, limit: int = 50, next_token: str | None = None) -> dict[str, Any]:
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}")
        items, token = self._repository.list(limit, next_token)
        return {"items": items, "nextToken": token}

    def update(self, item_id: str, data: Any) -> dict[str, Any]:
        fields = _validated(data)
        current = self.get(item_id)
        item = {**current, **fields, "version": current["version"] + 1, "updatedAt": self._clock()}
        self._repository.replace(item, expected_version=current["version"])
        return item

    def delete(self, item_id: str) -> None:
        self._repository.delete(_validated_id(item_id))

    def process(self, item_id: str) -> dict[str, Any]:
        """The service's own processing step (run by the workflow); replace with real work."""
        now = self._clock()
        return self.update(item_id, {"status": "processed", "processedAt": now})

    def handle(self, command: Any) -> dict[str, Any]:
        """Run one command: {"action": "create" | "update" | "delete" | "process", ...}."""
        if not isinstance(command, Mapping):
            raise ValidationFailed("a command is a JSON object with an 'action'")
        action = command.get("action")
        if action == "create":
            return self.create(command.get("data"))
        if action == "update":
            return self.update(str(command.get("id", "")), command.get("data"))
        if action == "delete":
            self.delete(str(command.get("id", "")))
            return {"id": command.get("id"), "deleted": True}
        if action == "process":
            return self.process(str(command.get("id", "")))
        raise ValidationFailed(f"unknown action {action!r}: use create, update, delete or process")


def _validated(data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ValidationFailed("the payment must be a JSON object")
    reserved = sorted(RESERVED_FIELDS.intersection(data))
    if reserved:
        raise ValidationFailed(f"these fields are set by the service: {', '.join(reserved)}")
    if len(json.dumps(data, default=str)) > MAX_BYTES:
        raise ValidationFailed(f"the payment is larger than {MAX_BYTES} bytes")
    return dict(data)


def _validated_id(item_id: str) -> str:
    if not item_id or len(item_id) > 128:
        raise ValidationFailed("an id is a non-empty string of at most 128 characters")
    return item_id
