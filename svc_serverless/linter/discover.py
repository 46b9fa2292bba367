"""Find the service repos a user named: a path is a repo (template at its root) or holds repos."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from svc_serverless.linter.model import SKIPPED_DIRS, find_template


@dataclass(frozen=True)
class Target:
    """A repo to lint, or a path that yielded none (`error` set)."""

    root: Path
    display: str
    error: str | None = None
    name: str | None = None  # how reports name the repo; default: its folder name
    lock: Path | None = None  # a clone's lock file: held (shared) while the repo is linted


def display_path(path: Path, cwd: Path) -> str:
    """How reports name a path: relative to the working folder when inside it, POSIX."""
    try:
        rel = path.resolve().relative_to(cwd.resolve())
    except ValueError:
        return path.as_posix()
    return rel.as_posix() or "."


def find_repos(path: Path, cwd: Path) -> list[Target]:
    """The repos at or directly under `path` (one level: an organisation checkout folder)."""
    shown = display_path(path, cwd)
    if not path.exists():
        return [Target(path, shown, f"{shown} does not exist")]
    if not path.is_dir():
        return [Target(path, shown, f"{shown} is not a folder")]
    if find_template(path) is not None:
        # Resolved, so `svc lint` inside a repo names it like `svc lint /path/to/repo` does
        # (same findings, fingerprints, baseline and cache entry).
        return [Target(path.resolve(), shown)]
    with os.scandir(path) as scan:
        names = sorted(
            entry.name for entry in scan
            if entry.is_dir(follow_symlinks=False) and entry.name not in SKIPPED_DIRS
            and not entry.name.startswith(".")
        )
    prefix = "" if shown == "." else shown.rstrip("/") + "/"
    children = [(path / name, prefix + name) for name in names]
    found = [Target(child, shown_child) for child, shown_child in children
             if find_template(child) is not None]
    if not found:
        return [Target(path, shown,
                       f"no service repo in {shown}: a repo has template.yaml at its root")]
    return found
