"""Find the service repos a user named: a path is a repo (template at its root) or holds repos."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.model import SKIPPED_DIRS, TEMPLATE_NAMES, find_template


@dataclass(frozen=True)
class Target:
    """A repo to lint, or a path that yielded none (`error` set)."""

    root: Path
    display: str
    error: str | None = None
    name: str | None = None  # how reports name the repo; default: its folder name


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
        return [_template_file(path, shown, cwd)]
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


def _template_file(path: Path, shown: str, cwd: Path) -> Target:
    """`svc lint template.yaml`, as cfn-lint users type it: lint the repo whose template it is.

    svc lints whole repos (layout, code, manifest), so only a template at a repo's root stands
    for its repo; any other file is refused rather than linted out of context.
    """
    parent = path.parent
    if path.name in TEMPLATE_NAMES and path.is_file() and find_template(parent) is not None:
        return Target(parent.resolve(), display_path(parent, cwd))
    return Target(path, shown, f"{shown} is not a folder: svc lints a service repo (a folder "
                               "with template.yaml at its root) or a folder of repos; give "
                               "the repo's folder")


def default_paths(cwd: Path) -> tuple[Path, ...]:
    """What `svc lint` with no PATH lints: the repo around `cwd`, else the repos under it.

    From a repo's subfolder (`functions/router/`) the repo is found upward, as git and ruff
    find theirs; the search never leaves the git repository it started in, so a folder
    holding no repo is never confused with an unrelated one above it.
    """
    root = find_repo_root(cwd)
    if root is not None:
        return (Path(os.path.relpath(root, cwd)),)
    if any(t.error is None for t in find_repos(cwd, cwd)):
        return (Path("."),)
    raise SvcError("no service repo in . or the folders above it: a repo has template.yaml "
                   "at its root; run svc lint inside one, or give its path (svc lint PATH)")


def find_repo_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` with a template at its root.

    The search stops at a folder holding `.git` (the top of a git repository: a repo's root
    is never above it) and at the filesystem root.
    """
    folder = start.resolve()
    while True:
        if find_template(folder) is not None:
            return folder
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent
