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
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from svc_serverless import __version__
from svc_serverless.linter.model import SKIPPED_DIRS
from svc_serverless.linter.result import RepoResult
from svc_serverless.linter.rule import Finding, Suppression

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svc"


def repo_key(root: Path, context: str) -> str:
    """A digest of the repo's tree (paths, sizes, mtimes, link targets) and the run's context.

    This is the whole cost of a warm run, so it is its own tight loop over os.scandir rather
    than model.scan_tree: no generator, no pathlib, one hash update. It walks the same tree
    (SKIPPED_DIRS are not entered, links are not followed).
    """
    base = str(root)
    cut = len(base) + 1
    parts: list[str] = []
    stack = [base]
    while stack:
        folder = stack.pop()
        try:
            scan = os.scandir(folder)
        except OSError:
            parts.append("E" + folder[cut:])
            continue
        with scan:
            for entry in scan:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        # Folders count on their own: an empty new functions/x is a finding.
                        parts.append("D" + entry.path[cut:])
                        if entry.name not in SKIPPED_DIRS:
                            stack.append(entry.path)
                    elif entry.is_symlink():
                        parts.append(f"L{entry.path[cut:]}\0{os.readlink(entry.path)}")
                    else:
                        stat = entry.stat(follow_symlinks=False)
                        parts.append(f"F{entry.path[cut:]}\0{stat.st_size}\0{stat.st_mtime_ns}")
                except OSError:
                    parts.append("E" + entry.path[cut:])
    parts.sort()
    header = f"{CACHE_FORMAT}\0{__version__}\0{context}"
    # surrogateescape: a file name that is not UTF-8 must change the key, not crash it.
    text = "\0".join([header, *parts])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["suppression"] = asdict(finding.suppression) if finding.suppression else None
    return data


def _finding_from_json(data: dict[str, Any]) -> Finding:
    suppression = data.pop("suppression", None)
    return Finding(**data, suppression=Suppression(**suppression) if suppression else None)


def result_to_json(result: RepoResult) -> dict[str, Any]:
    from svc_serverless.linter.facts import facts_to_json

    return {
        "name": result.name,
        "path": result.path,
        "error": result.error,
        "crashes": result.crashes,
        "findings": [_finding_to_json(f) for f in result.findings],
        "facts": facts_to_json(result.facts) if result.facts is not None else None,
    }


def result_from_json(data: dict[str, Any]) -> RepoResult:
    from svc_serverless.linter.facts import facts_from_json

    return RepoResult(
        name=data["name"],
        path=data["path"],
        error=data["error"],
        crashes=data["crashes"],
        findings=tuple(_finding_from_json(dict(f)) for f in data["findings"]),
        facts=facts_from_json(data["facts"]) if data["facts"] is not None else None,
        cached=True,
    )


def org_key(results: Sequence[RepoResult], context: str) -> str:
    """The organisation pass's key: every repo's name, place and content key, in any order."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{context}".encode())
    for name, path, key in sorted((r.name, r.path, r.cache_key) for r in results):
        digest.update(f"\0{name}\0{path}\0{key}".encode())
    return digest.hexdigest()


class OrgCache:
    """The last organisation pass per set of repos: `<dir>/org/<key>.json`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "org"

    def get(self, key: str) -> tuple[list[Finding], int] | None:
        try:
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            return [_finding_from_json(dict(f)) for f in data["findings"]], int(data["crashes"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None

    def put(self, key: str, findings: Sequence[Finding], crashes: int) -> None:
        data = {"findings": [_finding_to_json(f) for f in findings], "crashes": crashes}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for old in self.directory.glob("*.json"):  # one entry per org is enough
                old.unlink(missing_ok=True)
            (self.directory / f"{key}.json").write_text(json.dumps(data), encoding="utf-8")
        except OSError:
            pass


class ResultCache:
    """One JSON file per repo under `<dir>/results/`, named by the repo's absolute path."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "results"

    def _file(self, root: Path) -> Path:
        name = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def get(self, root: Path, key: str) -> RepoResult | None:
        try:
            data = json.loads(self._file(root).read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("key") != key:
                return None
            return result_from_json(data["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
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
