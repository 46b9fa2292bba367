"""The receiver function (functions/receiver/handler.py) against moto: commands in, table out."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest


def batch(*commands: Any, ids: list[str] | None = None) -> dict[str, Any]:
    ids = ids or [f"m{n}" for n in range(len(commands))]
    return {
        "Records": [
            {"messageId": message_id, "body": json.dumps(command), "eventSource": "aws:sqs"}
            for message_id, command in zip(ids, commands, strict=True)
        ]
    }


def items(receiver: ModuleType) -> list[dict[str, Any]]:
    return receiver.default_app().service.list()["items"]


def test_batch_runs_every_command(receiver: ModuleType) -> None:
    commands = [{"action": "create", "data": {"name": name}} for name in ("a", "b")]

    result = receiver.handler(batch(*commands))

    assert result == {"batchItemFailures": []}
    assert sorted(item["name"] for item in items(receiver)) == ["a", "b"]


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


def test_a_redelivered_message_runs_once(receiver: ModuleType) -> None:
    command = {"action": "create", "data": {"name": "once"}}

    receiver.handler(batch(command, ids=["same-message"]))
    again = receiver.handler(batch(command, ids=["same-message"]))

    assert again == {"batchItemFailures": []}
    assert [item["name"] for item in items(receiver)] == ["once"]


def test_a_failed_message_runs_again(receiver: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    service = receiver.default_app().service
    create = service.create
    outage = iter([RuntimeError("the table is throttling")])

    def flaky(data: Any) -> dict[str, Any]:
        for error in outage:
            raise error
        return create(data)

    monkeypatch.setattr(service, "create", flaky)
    retried, other = ({"action": "create", "data": {"name": name}} for name in ("retried", "other"))

    first = receiver.handler(batch(retried, other, ids=["m-7", "m-8"]))
    second = receiver.handler(batch(retried, ids=["m-7"]))

    # A failure is not remembered as the message's result: the redelivery runs it.
    assert first == {"batchItemFailures": [{"itemIdentifier": "m-7"}]}
    assert second == {"batchItemFailures": []}
    assert sorted(item["name"] for item in items(receiver)) == ["other", "retried"]


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
