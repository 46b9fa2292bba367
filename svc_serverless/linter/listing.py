"""Walking a repo: every file and folder under its root, links recorded and never followed.

Only names are read here (and a file's type, for what is neither a file, a folder nor a
link); contents are `model.py`'s. What the walk cannot take in (a folder it cannot list, a
FIFO, socket or device, a name that is not UTF-8) is recorded, not skipped silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from svc_serverless.linter.files import is_utf8, kind_of, shown

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")

# Folders that hold tool output or third-party code, never the service's own sources.
SKIPPED_DIRS = frozenset(
    {".git", ".aws-sam", "node_modules", "__pycache__", ".venv", "venv", ".tox",
     ".pytest_cache", ".mypy_cache", ".ruff_cache", "cdk.out", ".svc-cache"}
)
MAX_FILES = 20_000

@dataclass(frozen=True)
class Listing:
    """What a walk of the repo found, without following any link.

    `unread` holds what the walk could not take in: folders it could not list, entries that
    are not regular files (FIFOs, sockets, devices) and names that are not UTF-8, each as
    (repo-relative path as reports print it, reason). None of them is in `files` or `dirs`.
    """

    files: tuple[str, ...]
    dirs: tuple[str, ...]
    symlinks: tuple[tuple[str, str], ...]  # (repo-relative path, link target as written)
    truncated: bool = False
    unread: tuple[tuple[str, str], ...] = ()


def scan_tree(
    root: Path, unread: list[tuple[str, str]] | None = None
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(repo-relative POSIX path, entry) for everything under root, links not followed.

    Folders in SKIPPED_DIRS are yielded but not entered; stops after MAX_FILES files. A folder
    that cannot be listed and a name that is not UTF-8 are not yielded but added to `unread`.
    """
    base = str(root)  # plain strings: pathlib joins cost more than the scandir itself here
    stack = [""]
    seen_files = 0
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(base, rel_dir) if rel_dir else base) as scan:
                entries = list(scan)
        except OSError as err:
            if unread is not None:
                reason = err.strerror.lower() if err.strerror else err.__class__.__name__
                unread.append((rel_dir or ".", f"is a folder that cannot be listed: {reason}"))
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if not is_utf8(entry.name):
                if unread is not None:
                    unread.append((shown(rel), "has a name that is not UTF-8: rename it"))
                continue
            yield rel, entry
            if is_dir_entry(entry) and entry.name not in SKIPPED_DIRS:
                stack.append(rel)
            else:
                seen_files += 1
        if seen_files > MAX_FILES:
            return


def is_dir_entry(entry: os.DirEntry[str]) -> bool:
    """A folder, not a link to one; False if it vanished or cannot be examined."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _special_kind(entry: os.DirEntry[str]) -> str | None:
    """Why an entry that is neither a folder, a link nor a regular file is not read."""
    try:
        return kind_of(entry.stat(follow_symlinks=False).st_mode)
    except OSError as err:
        return f"cannot be examined: {err.strerror or err.__class__.__name__}"


def list_repo(root: Path) -> Listing:
    """Every file and folder under root, relative and POSIX, sorted; links recorded, not followed."""
    files: list[str] = []
    dirs: list[str] = []
    links: list[tuple[str, str]] = []
    unread: list[tuple[str, str]] = []
    for rel, entry in scan_tree(root, unread):
        if entry.is_symlink():
            try:
                links.append((rel, os.readlink(entry.path)))
            except OSError:
                links.append((rel, ""))
        elif is_dir_entry(entry):
            if entry.name not in SKIPPED_DIRS:
                dirs.append(rel)
        elif entry.is_file(follow_symlinks=False):
            files.append(rel)
        else:
            unread.append((rel, _special_kind(entry) or "is not a regular file"))
    return Listing(tuple(sorted(files)), tuple(sorted(dirs)), tuple(sorted(links)),
                   truncated=len(files) > MAX_FILES, unread=tuple(sorted(unread)))


def find_template(root: Path) -> Path | None:
    """The repo's template at its root (never a link: it could point outside the repo).

    Anything else that is not a folder counts, a FIFO or an unreadable file too: the repo is
    then linted and its template reported as unreadable, rather than skipped as "no repo".
    """
    base = str(root)
    for name in TEMPLATE_NAMES:
        try:
            mode = os.lstat(os.path.join(base, name)).st_mode
        except (OSError, ValueError):
            continue
        if not stat.S_ISLNK(mode) and not stat.S_ISDIR(mode):
            return root / name
    return None
