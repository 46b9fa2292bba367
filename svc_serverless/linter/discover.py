"""Find the service repos a user named (a path is a repo, template at its root, or holds repos),
and name each repo of a run so that no two share a name.

A repo is identified by its place in the run (its path, or its URL for a clone), never by its
folder name alone: `svc lint a/billing b/billing` is two repos. Reports name a repo by its
folder name while that is unique in the run, and by its place otherwise.
"""

from __future__ import annotations

import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from svc_serverless.errors import SvcError
from svc_serverless.linter.files import is_utf8, shown
from svc_serverless.linter.listing import SKIPPED_DIRS, TEMPLATE_NAMES, find_template, is_dir_entry

if TYPE_CHECKING:
    from svc_serverless.linter.result import RepoResult

_URL_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


@dataclass(frozen=True)
class Target:
    """A repo to lint, or a path that yielded none (`error` set)."""

    root: Path
    display: str
    error: str | None = None
    name: str | None = None  # how reports name the repo; default: its folder name
    lock: Path | None = None  # a clone's lock file: held (shared) while the repo is linted


def current_folder() -> Path:
    """The working folder. If it was deleted (`getcwd` fails), its last known path from the
    shell, which only shortens how reports name paths: relative paths then fail on their own."""
    try:
        return Path.cwd()
    except OSError:
        pwd = os.environ.get("PWD", "")
        return Path(pwd) if os.path.isabs(pwd) else Path(os.sep)


def _cwd_gone() -> bool:
    try:
        os.getcwd()
    except OSError:
        return True
    return False


def display_path(path: Path, cwd: Path) -> str:
    """How reports name a path: relative to the working folder when inside it, POSIX."""
    try:
        rel = path.resolve().relative_to(cwd.resolve())
    except (ValueError, OSError):
        return shown(path.as_posix())
    return shown(rel.as_posix()) or "."


def _problem(path: Path, shown_path: str) -> str | None:
    """Why `path` is not a folder svc can look into, or None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"{shown_path} does not exist"
    except (OSError, ValueError) as err:
        return f"{shown_path} cannot be read: {getattr(err, 'strerror', None) or err}"
    return None if stat.S_ISDIR(mode) else f"{shown_path} is not a folder"


def _named(name: str) -> str | None:
    """The name reports use for a repo folder whose own name would not print (not UTF-8)."""
    return None if is_utf8(name) else shown(name)


def find_repos(path: Path, cwd: Path) -> list[Target]:
    """The repos at or directly under `path` (one level: an organisation checkout folder)."""
    if not path.is_absolute() and _cwd_gone():
        return [Target(path, path.as_posix(), "the current folder no longer exists: cd to a "
                       "folder that exists or give the repo's absolute path")]
    shown_path = display_path(path, cwd)
    problem = _problem(path, shown_path)
    if problem is not None:
        if path.is_file():
            return [_template_file(path, shown_path, cwd)]
        return [Target(path, shown_path, problem)]
    if find_template(path) is not None:
        # Resolved, so `svc lint` inside a repo names it like `svc lint /path/to/repo` does
        # (same findings, fingerprints, baseline and cache entry).
        return [Target(path.resolve(), shown_path, name=_named(path.resolve().name))]
    try:
        with os.scandir(path) as scan:
            names = sorted(
                entry.name for entry in scan
                if is_dir_entry(entry) and entry.name not in SKIPPED_DIRS
                and not entry.name.startswith(".")
            )
    except OSError as err:
        return [Target(path, shown_path, f"cannot list {shown_path}: "
                       f"{(err.strerror or err.__class__.__name__).lower()}")]
    prefix = "" if shown_path == "." else shown_path.rstrip("/") + "/"
    found = [Target(path / name, prefix + shown(name), name=_named(name)) for name in names
             if find_template(path / name) is not None]
    if not found:
        return [Target(path, shown_path,
                       f"no service repo in {shown_path}: a repo has template.yaml at its root")]
    return found


def unique_targets(targets: Iterable[Target]) -> list[Target]:
    """Each repo once, in first-seen order (`svc lint org org/billing` lints billing once)."""
    seen: set[str] = set()
    kept = []
    for target in targets:
        key = target.display if target.error is not None else os.path.realpath(target.root)
        if key not in seen:
            seen.add(key)
            kept.append(target)
    return kept


def repo_place(path: str) -> str:
    """A repo's place in the run as it may be written to a file: a URL loses its credentials."""
    return _URL_CREDENTIALS.sub(r"\1", path)


def distinct_names(results: Sequence[RepoResult]) -> list[RepoResult]:
    """The results with every name unique: a name two repos share becomes each one's place.

    A repo's findings and facts carry its name (reports group by it, organisation rules report
    by it), so they are renamed with it. Run before the organisation rules.
    """
    counts = Counter(result.name for result in results)
    taken = {name for name, count in counts.items() if count == 1}
    renamed = []
    for result in results:
        if counts[result.name] == 1:
            renamed.append(result)
            continue
        wanted = repo_place(result.path) or result.name
        name, number = wanted, 2
        while name in taken:  # the same place twice (two facts files saying one folder)
            name, number = f"{wanted} ({number})", number + 1
        taken.add(name)
        renamed.append(_renamed(result, name))
    return renamed


def _renamed(result: RepoResult, name: str) -> RepoResult:
    old = result.name
    return replace(
        result,
        name=name,
        findings=tuple(replace(f, repo=name) if f.repo == old else f for f in result.findings),
        facts=replace(result.facts, folder=name) if result.facts is not None else None,
    )


def _template_file(path: Path, shown_path: str, cwd: Path) -> Target:
    """`svc lint template.yaml`, as cfn-lint users type it: lint the repo whose template it is.

    svc lints whole repos (layout, code, manifest), so only a template at a repo's root stands
    for its repo; any other file is refused rather than linted out of context.
    """
    parent = path.parent
    if path.name in TEMPLATE_NAMES and find_template(parent) is not None:
        root = parent.resolve()
        return Target(root, display_path(parent, cwd), name=_named(root.name))
    return Target(path, shown_path, f"{shown_path} is not a folder: svc lints a service repo "
                                    "(a folder with template.yaml at its root) or a folder of "
                                    "repos; give the repo's folder")


def default_paths(cwd: Path) -> tuple[Path, ...]:
    """What `svc lint` with no PATH lints: the repo around `cwd`, else the repos under it.

    From a repo's subfolder (`functions/router/`) the repo is found upward, as git and ruff
    find theirs; the search never leaves the git repository it started in, so a folder
    holding no repo is never confused with an unrelated one above it.
    """
    if _cwd_gone():
        return (Path("."),)  # find_repos says so
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
        if os.path.exists(folder / ".git") or folder.parent == folder:
            return None
        folder = folder.parent
