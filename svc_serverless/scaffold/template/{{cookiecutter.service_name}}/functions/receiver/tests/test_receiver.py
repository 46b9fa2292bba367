{%- set Entity = cookiecutter.__entity_pascal -%}
from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

Published = Callable[[], list[dict[str, Any]]]


def batch(*commands: Any) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{n}", "body": json.dumps(command), "eventSource": "aws:sqs"}
            for n, command in enumerate(commands)
        ]
    }


def test_batch_runs_every_command(receiver: ModuleType, published: Published) -> None:
    first = {"action": "create", "data": {"name": "a"}}
    second = {"action": "create", "data": {"name": "b"}}

    result = receiver.handler(batch(first, second))

    assert result == {"batchItemFailures": []}
    assert [e["detail-type"] for e in published()] == ["{{ Entity }}Created"] * 2


def test_batch_reports_only_failed_messages(receiver: ModuleType) -> None:
    result = receiver.handler(
        batch(
            {"action": "create", "data": {"name": "fine"}},
            {"action": "explode"},
            "not an object",
            {"action": "delete", "id": "missing"},
        )
    )

    failed = [failure["itemIdentifier"] for failure in result["batchItemFailures"]]
    assert failed == ["m1", "m2", "m3"]


def test_update_and_delete_commands(receiver: ModuleType) -> None:
    created = receiver.handler({"action": "create", "data": {"name": "a"}})

    updated = receiver.handler({"action": "update", "id": created["id"], "data": {"name": "b"}})
    deleted = receiver.handler({"action": "delete", "id": created["id"]})

    assert updated["name"] == "b"
    assert deleted == {"id": created["id"], "deleted": True}


def test_workflow_process_command_marks_it_processed(receiver: ModuleType) -> None:
    created = receiver.handler({"action": "create", "data": {"name": "a"}})

    processed = receiver.handler({"action": "process", "id": created["id"]})

    assert processed["status"] == "processed"
    assert processed["version"] == created["version"] + 1


def test_direct_invocation_raises_so_the_workflow_step_fails(receiver: ModuleType) -> None:
    with pytest.raises(Exception) as caught:
        receiver.handler({"action": "process", "id": "missing"})

    assert type(caught.value).__name__ == "NotFound"
