"""What a render changes against a commit's tree, computed without writing to the repo.

`svc check` and `svc update --dry-run` must change nothing, not even git's object store, so a
rendered folder is compared with a tree by git's own blob ids, computed here, and only the
old side of each changed file is read back from git.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from svc_serverless.scaffold.gitrepo import run_git

Entries = Mapping[str, tuple[str, str]]  # path -> (mode, blob id)
DIFF_CONTEXT = 3


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def paths(self) -> list[tuple[str, str]]:
        """(status letter, path) in path order, as `git diff --name-status` shows them."""
        marked = ([("A", p) for p in self.added] + [("D", p) for p in self.removed]
                  + [("M", p) for p in self.modified])
        return sorted(marked, key=lambda item: item[1])


def tree_entries(root: Path, tree: str) -> dict[str, tuple[str, str]]:
    out = run_git(root, ["ls-tree", "-r", "-z", "--full-tree", tree])
    entries = {}
    for entry in out.split("\x00"):
        if entry:
            meta, _, path = entry.partition("\t")
            mode, kind, sha = meta.split(" ")
            if kind == "blob":
                entries[path] = (mode, sha)
    return entries


def blob_id(content: bytes, algorithm: str = "sha1") -> str:
    return hashlib.new(algorithm, b"blob %d\x00" % len(content) + content).hexdigest()


def folder_entries(folder: Path, algorithm: str = "sha1") -> dict[str, tuple[str, str]]:
    entries = {}
    for path in _files(folder):
        mode = "100755" if os.stat(path).st_mode & 0o111 else "100644"
        entries[path.relative_to(folder).as_posix()] = (mode, blob_id(path.read_bytes(), algorithm))
    return entries


def _files(folder: Path) -> Iterator[Path]:
    for parent, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            yield Path(parent, name)


def algorithm_of(object_id: str) -> str:
    return "sha256" if len(object_id) == 64 else "sha1"


def compare(old: Entries, new: Entries) -> Changes:
    return Changes(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        modified=tuple(sorted(p for p in set(old) & set(new) if old[p] != new[p])),
    )


class Blobs:
    """Reads blobs from one repo through one long-lived `git cat-file` (GitPython's odb)."""

    def __init__(self, root: Path) -> None:
        import git

        self._repo = git.Repo(root)

    def read(self, sha: str) -> bytes:
        data: bytes = self._repo.odb.stream(bytes.fromhex(sha)).read()
        return data

    def close(self) -> None:
        self._repo.close()


def contents(root: Path, old: Entries, project: Path,
             changes: Changes) -> list[tuple[str, str, bytes | None, bytes | None]]:
    """(status, path, old content, new content) of each change; None where a side is absent."""
    blobs = Blobs(root)
    try:
        return [(status, path, blobs.read(old[path][1]) if status != "A" else None,
                 (project / path).read_bytes() if status != "D" else None)
                for status, path in changes.paths()]
    finally:
        blobs.close()


def _lines(content: bytes) -> list[str] | None:
    if b"\x00" in content:
        return None
    try:
        return content.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def stat(old: bytes | None, new: bytes | None) -> tuple[int, int] | None:
    """(lines added, lines removed), or None for a binary file."""
    before = [] if old is None else _lines(old)
    after = [] if new is None else _lines(new)
    if before is None or after is None:
        return None
    added = removed = 0
    for line in difflib.unified_diff(before, after, n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def unified(path: str, old: bytes | None, new: bytes | None) -> str:
    """A `git diff`-style patch of one file (a/ is the old render, b/ the new one)."""
    before = [] if old is None else _lines(old)
    after = [] if new is None else _lines(new)
    header = f"diff --git a/{path} b/{path}\n"
    if old is None:
        header += "new file\n"
    elif new is None:
        header += "deleted file\n"
    if before is None or after is None:
        return header + f"Binary files a/{path} and b/{path} differ\n"
    lines = difflib.unified_diff(before, after, "/dev/null" if old is None else f"a/{path}",
                                 "/dev/null" if new is None else f"b/{path}", n=DIFF_CONTEXT)
    return header + "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                            for line in lines)
