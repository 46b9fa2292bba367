"""Per-repo result cache, keyed by content: an unchanged repo is not even parsed again.

The key hashes what can change a repo's result: every file's path, size and modification time
(and every link's target), the svc version, the effective organisation policy and the command
line options that change findings, and today's date (suppressions expire). Stat, not content:
statting ~30 files is what makes a warm run over 10,000 repos fit in seconds; an edit that
keeps size and mtime identical is the price (mtime has nanosecond resolution).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from linter import __version__
from linter.model import scan_tree
from linter.result import RepoResult
from linter.rule import Finding, Suppression

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svc"


def repo_key(root: Path, context: str) -> str:
    """A digest of the repo's tree (paths, sizes, mtimes, link targets) and the run's context."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{context}".encode())
    for rel, entry in sorted(scan_tree(root), key=lambda item: item[0]):
        try:
            if entry.is_symlink():
                digest.update(f"\0L{rel}\0{os.readlink(entry.path)}".encode())
            elif entry.is_file(follow_symlinks=False):
                stat = entry.stat(follow_symlinks=False)
                digest.update(f"\0F{rel}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"\0E{rel}".encode())
    return digest.hexdigest()


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["suppression"] = asdict(finding.suppression) if finding.suppression else None
    return data


def _finding_from_json(data: dict[str, Any]) -> Finding:
    suppression = data.pop("suppression", None)
    return Finding(**data, suppression=Suppression(**suppression) if suppression else None)


def result_to_json(result: RepoResult) -> dict[str, Any]:
    from linter.facts import facts_to_json

    return {
        "name": result.name,
        "path": result.path,
        "error": result.error,
        "crashes": result.crashes,
        "findings": [_finding_to_json(f) for f in result.findings],
        "facts": facts_to_json(result.facts) if result.facts is not None else None,
    }


def result_from_json(data: dict[str, Any]) -> RepoResult:
    from linter.facts import facts_from_json

    return RepoResult(
        name=data["name"],
        path=data["path"],
        error=data["error"],
        crashes=data["crashes"],
        findings=tuple(_finding_from_json(dict(f)) for f in data["findings"]),
        facts=facts_from_json(data["facts"]) if data["facts"] is not None else None,
        cached=True,
    )


class ResultCache:
    """One JSON file per repo under `<dir>/results/`, named by the repo's absolute path."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "results"

    def _file(self, root: Path) -> Path:
        name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def get(self, root: Path, key: str) -> RepoResult | None:
        try:
            data = json.loads(self._file(root).read_text(encoding="utf-8"))
            if data.get("key") != key:
                return None
            return result_from_json(data["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a missing or corrupt entry is a miss, never an error

    def put(self, root: Path, key: str, result: RepoResult) -> None:
        path = self._file(root)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"key": key, "result": result_to_json(result)}),
                           encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only or full cache folder slows the next run; it must not fail this one
