"""Migrations: how `svc update` carries a repo's answers (and files) across template changes.

An explicit, ordered list keyed by the svc version that introduces each step. An update from
a repo rendered by svc A with svc B applies every step with A < version <= B, in order, to
the recorded answers before rendering, and moves files in the previous pristine commit before
merging, so git sees a rename (and carries the user's edits along) instead of a delete and an
unrelated add.

Every step checks its own precondition (rename only when the old key is there and the new one
is not, compute only a missing answer, move only a file that exists where the new one does
not), so applying a step twice changes nothing. That is what lets a pre-0.2 answers file,
whose `svc_version` is not trustworthy as a lower bound (0.2 development builds wrote the old
format too), take every step from the start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from svc_serverless.scaffold.answers import Answer, default_svc_requirement
from svc_serverless.scaffold.record import BUNDLED_ORIGIN, Origin, Record

_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class Migrating:
    """The state the steps transform: where the template comes from, answers, file moves."""

    origin: Origin | None
    answers: Mapping[str, Answer]
    moves: tuple[tuple[str, str], ...] = ()
    applied: tuple[str, ...] = ()  # what each applied step did, for the user


@dataclass(frozen=True)
class RenameAnswer:
    version: str
    old: str
    new: str

    def apply(self, state: Migrating) -> Migrating:
        if self.old not in state.answers or self.new in state.answers:
            return state
        answers = {(self.new if key == self.old else key): value
                   for key, value in state.answers.items()}
        return replace(state, answers=answers,
                       applied=state.applied + (f"answer {self.old} renamed to {self.new}",))


@dataclass(frozen=True)
class ComputeAnswer:
    """A new answer whose value follows from the old ones (it is checked like any answer)."""

    version: str
    key: str
    compute: Callable[[Mapping[str, Answer]], Answer]

    def apply(self, state: Migrating) -> Migrating:
        if self.key in state.answers:
            return state
        value = self.compute(state.answers)
        return replace(state, answers={**state.answers, self.key: value},
                       applied=state.applied + (f"answer {self.key} set to {value!r}",))


@dataclass(frozen=True)
class MoveFile:
    """A template file that moved: `{answer}` placeholders are filled from the answers."""

    version: str
    old: str
    new: str

    def apply(self, state: Migrating) -> Migrating:
        values = {key: str(value) for key, value in state.answers.items()}
        move = (self.old.format_map(values), self.new.format_map(values))
        return replace(state, moves=state.moves + (move,))


@dataclass(frozen=True)
class RecordTemplateOrigin:
    """svc 0.2's answers file records the template; before, it was always the bundled one."""

    version: str

    def apply(self, state: Migrating) -> Migrating:
        if state.origin is not None:
            return state
        return replace(state, origin=BUNDLED_ORIGIN,
                       applied=state.applied + ("the answers file now records the template",))


Migration = RenameAnswer | ComputeAnswer | MoveFile | RecordTemplateOrigin

MIGRATIONS: Sequence[Migration] = (
    RecordTemplateOrigin("0.2.0"),
)


def version_key(version: str) -> tuple[int, ...]:
    """Numeric release parts: 0.10.1 > 0.9.3; anything unreadable sorts first."""
    release = version.strip().lstrip("v").split("+")[0]
    parts = []
    for part in release.split("."):
        match = _NUMBERS.match(part)
        if not match:
            break
        parts.append(int(match.group()))
    return tuple(parts)


def migrate(record: Record, target: str) -> Migrating:
    """Apply every step after the record's svc version, up to and including `target`."""
    start = version_key(record.svc_version) if record.origin is not None else ()
    end = version_key(target)
    state = Migrating(record.origin, dict(record.answers))
    for step in MIGRATIONS:  # looked up at call time: tests stand in the steps of a newer svc
        if start < version_key(step.version) <= end:
            state = step.apply(state)
    return follow_svc(state, record.svc_version, target)


def follow_svc(state: Migrating, old: str, new: str) -> Migrating:
    """A repo that installs exactly the svc that rendered it keeps doing so after an update.

    The default requirement (`svc-serverless==<version>`) moves to the updating svc's version;
    a requirement the organisation chose (a private index, a git URL) is kept as it is.
    """
    key = "svc_requirement"
    if old == new or state.answers.get(key) != default_svc_requirement(old):
        return state
    value = default_svc_requirement(new)
    return replace(state, answers={**state.answers, key: value},
                   applied=state.applied + (f"answer {key} set to {value!r}",))
