"""Migrations: ordered by svc version, applied once each, and harmless when applied again."""

from __future__ import annotations

import pytest

from svc_serverless.scaffold import migrations
from svc_serverless.scaffold.migrations import (
    ComputeAnswer,
    MoveFile,
    RecordTemplateOrigin,
    RenameAnswer,
    migrate,
    version_key,
)
from svc_serverless.scaffold.record import BUNDLED_ORIGIN, Origin, Record

SHIPPED = migrations.MIGRATIONS  # before the fixture stands in the test's steps
STEPS = (
    RecordTemplateOrigin("0.2.0"),
    RenameAnswer("0.3.0", "memory_size", "memory_mb"),
    ComputeAnswer("0.4.0", "alarm_email", lambda a: f"{a['owner']}@example.com"),
    MoveFile("0.4.0", "events/{service_name}.json", "events/api/{service_name}.json"),
)
ANSWERS = {"service_name": "billing", "owner": "team-x", "memory_size": "512"}


@pytest.fixture(autouse=True)
def steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", STEPS)


def test_steps_after_the_recorded_version_up_to_the_target_apply_in_order() -> None:
    record = Record("0.2.0", "sha256:x", Origin("/srv/tpl"), ANSWERS)

    state = migrate(record, "0.4.0")

    assert state.origin == Origin("/srv/tpl")
    assert state.answers == {"service_name": "billing", "owner": "team-x", "memory_mb": "512",
                             "alarm_email": "team-x@example.com"}
    assert state.moves == (("events/billing.json", "events/api/billing.json"),)
    assert state.applied == ("answer memory_size renamed to memory_mb",
                             "answer alarm_email set to 'team-x@example.com'")


def test_steps_beyond_the_target_wait() -> None:
    state = migrate(Record("0.2.0", "sha256:x", BUNDLED_ORIGIN, ANSWERS), "0.3.1")
    assert "memory_mb" in state.answers and "alarm_email" not in state.answers
    assert state.moves == ()


def test_a_pre_0_2_answers_file_takes_every_step_and_each_changes_it_once() -> None:
    # svc 0.2 development builds wrote the old format too: its version is no lower bound.
    old = Record("0.2.0", "sha256:x", None, {**ANSWERS, "memory_mb": "1024"})

    state = migrate(old, "0.3.0")

    assert state.origin == BUNDLED_ORIGIN
    # memory_mb was there already: the rename does not overwrite it.
    assert state.answers["memory_mb"] == "1024" and state.answers["memory_size"] == "512"
    assert state.applied == ("the answers file now records the template",)


def test_already_migrated_answers_are_left_alone() -> None:
    done = Record("0.1.0", "sha256:x", BUNDLED_ORIGIN,
                  {"service_name": "billing", "owner": "team-x", "memory_mb": "512",
                   "alarm_email": "ops@example.com"})
    state = migrate(done, "0.4.0")
    assert state.answers == done.answers and state.applied == ()


@pytest.mark.parametrize("version,key", [
    ("0.2.0", (0, 2, 0)), ("v0.10.1", (0, 10, 1)), ("1.2.3rc1", (1, 2, 3)),
    ("0.3.0+local", (0, 3, 0)), ("latest", ()),
])
def test_version_key(version: str, key: tuple[int, ...]) -> None:
    assert version_key(version) == key
    assert version_key("0.10.0") > version_key("0.9.9")


def test_the_shipped_steps_are_in_version_order() -> None:
    shipped = [step.version for step in SHIPPED]
    assert shipped == sorted(shipped, key=version_key)
    assert RecordTemplateOrigin("0.2.0") in SHIPPED
