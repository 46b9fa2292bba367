"""Shared fixtures: every option combination of `svc new`, rendered once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from svc_serverless.scaffold.create import NewRequest, new_service

RUNTIMES = ("python3.13", "python3.14", "python3.12", "nodejs22.x", "nodejs24.x")
CI_SYSTEMS = ("github", "gitlab", "codebuild", "none")
CI_FILES = {
    "github": ".github/workflows/ci.yml",
    "gitlab": ".gitlab-ci.yml",
    "codebuild": "buildspec.yml",
    "none": ".svc/policy.yaml",
}


@dataclass(frozen=True)
class Combo:
    runtime: str
    ci: str
    workflow: bool
    trigger: str = "event"

    @property
    def id(self) -> str:
        trigger = "" if self.trigger == "event" or not self.workflow else f"-{self.trigger}"
        return f"{self.runtime}-{self.ci}-{'wf' if self.workflow else 'nowf'}{trigger}"

    @property
    def python(self) -> bool:
        return self.runtime.startswith("python")


# Every runtime, CI system and workflow choice; the other workflow triggers (what starts the
# workflow changes the template and the definition only) with one runtime of each language.
COMBOS = tuple(Combo(r, c, w) for r in RUNTIMES for c in CI_SYSTEMS for w in (True, False)) + tuple(
    Combo(r, "github", True, trigger) for r in ("python3.13", "nodejs22.x") for trigger in ("schedule", "none"))
SERVICE = "order-history"
OWNER = "team-orders"


def combo_ids(combo: Combo) -> str:
    return combo.id


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[Combo, Path]:
    """Every combination, without git (the git tests make their own)."""
    repos = {}
    for combo in COMBOS:
        out = tmp_path_factory.mktemp(combo.id)
        request = NewRequest(name=SERVICE, owner=OWNER, runtime=combo.runtime, ci=combo.ci,
                             workflow=combo.workflow, output_dir=out, git=False,
                             data={"workflow_trigger": combo.trigger})
        repos[combo] = new_service(request)
    return repos


def listing(root: Path) -> list[str]:
    """Every file and folder under root, relative, sorted: to prove nothing was written."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.append(Path(folder, name).relative_to(root).as_posix())
    return sorted(found)


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A HOME with no git identity and no cookiecutter state, like a fresh CI runner."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "GIT_CONFIG_GLOBAL"):
        monkeypatch.delenv(var, raising=False)
    yield home
