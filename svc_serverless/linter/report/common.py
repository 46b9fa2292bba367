"""What several reporters share: where a finding is, how findings group by repo, the summary.

Kept free of heavy imports (no rich, no xml): every reporter imports it.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

# The project's rule reference; SARIF helpUri and the Markdown report link into it by anchor.
RULES_DOC_URL = "https://github.com/svc-dev/svc/blob/main/docs/rules.md"
# A cloned repo's path is the URL it was cloned from (`scheme://...` or scp-like `git@host:x`).
_URL = re.compile(r"[A-Za-z][\w+.-]*://|[^/\s@]+@[^/\s:]+:")


def rule_doc_url(code: str) -> str:
    """The page of one rule: GitHub anchors headings in lower case."""
    return f"{RULES_DOC_URL}#{code.lower()}"


def location(finding: Finding, file: str | None = None) -> str:
    """`file:line:col`; `file` alone when the finding is about the whole file.

    `file` defaults to the finding's repo-relative file; pass a root-relative path to place it
    in a multi-repo run. Line 0 means "the whole file" and column 0 "unknown", so they are left
    out rather than printed as positions no editor can jump to.
    """
    place = (finding.file if file is None else file) or "."
    if finding.line < 1:
        return place
    if finding.column < 1:
        return f"{place}:{finding.line}"
    return f"{place}:{finding.line}:{finding.column}"


def cwd_file(group: RepoGroup, file: str) -> str | None:
    """A repo's file as a path from the current folder, which terminals and editors open.

    Repo paths are shown relative to the current folder when inside it (discover.display_path),
    so joining gives `functions/a/app.py` or `../../template.yaml`; None for a repo with no
    folder here (a clone shown by its URL, a repo known only from facts).
    """
    if not group.path or _URL.match(group.path):
        return None
    if not file:
        return group.path
    return posixpath.normpath(posixpath.join(group.path, file))


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def summary_line(result: LintResult) -> str:
    """One sentence: unsuppressed counts per severity, then only the extras that happened."""
    counts = result.counts()
    unreadable = sum(1 for repo in result.repos if repo.error is not None)
    head = (
        f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, "
        f"{counts['info']} info in {plural(len(result.repos), 'repo')}"
    )
    extras = [
        f"{result.suppressed_count} suppressed" if result.suppressed_count else "",
        plural(result.crashes, "crash", "crashes") if result.crashes else "",
        f"{plural(unreadable, 'repo')} could not be read" if unreadable else "",
    ]
    extra = ", ".join(e for e in extras if e)
    return f"{head} ({extra})" if extra else head


@dataclass(frozen=True)
class RepoGroup:
    """One repo's part of the report: its findings (sorted, suppressed ones included)."""

    name: str
    path: str  # "" for a repo known only by name (an organisation finding over facts files)
    error: str | None
    findings: tuple[Finding, ...]

    @property
    def path_note(self) -> str:
        """The path, when it tells a reader more than the name ("" for "." or the name itself)."""
        return "" if self.path in ("", ".", self.name) else self.path

    @property
    def shown(self) -> tuple[Finding, ...]:
        """The findings a human report lists: suppressed ones are only counted."""
        return tuple(f for f in self.findings if not f.suppressed)


def group_by_repo(result: LintResult) -> list[RepoGroup]:
    """Repos in input order, then any repo named only by findings, in name order.

    Findings are taken from `result.findings` (the filtered, sorted list every count uses), so
    grouping keeps their order. If two repos share a name, the first one gets the findings.
    """
    by_repo: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_repo.setdefault(finding.repo, []).append(finding)
    groups = [
        RepoGroup(repo.name, repo.path, repo.error, tuple(by_repo.pop(repo.name, ())))
        for repo in result.repos
    ]
    groups += [RepoGroup(name, "", None, tuple(by_repo[name])) for name in sorted(by_repo)]
    return groups


class ArtifactPaths:
    """Root-relative POSIX paths of findings, for SARIF, GitHub annotations and JUnit.

    CI tools resolve these against the checkout (SARIF's %SRCROOT%), and absolute paths both leak
    the runner's layout and break baselines (research/linter-anchors.md §5). A repo outside the
    root, or known by its URL (a clone), gets its name as the folder instead of a `../..` path.
    """

    def __init__(self, result: LintResult) -> None:
        self._root = result.root or "."
        self._repo_dirs: dict[str, str] = {}
        for repo in result.repos:
            self._repo_dirs.setdefault(repo.name, self._relative_dir(repo.path) or repo.name)

    def repo_dir(self, repo: str) -> str:
        """The repo's folder relative to the root ("." when it is the root)."""
        return self._repo_dirs.get(repo, repo)

    def __call__(self, finding: Finding) -> str:
        folder = self.repo_dir(finding.repo)
        if not finding.file:
            return folder
        return finding.file if folder == "." else f"{folder}/{finding.file}"

    def _relative_dir(self, path: str) -> str | None:
        if _URL.match(path):
            return None
        try:
            relative = PurePath(os.path.relpath(path or ".", self._root)).as_posix()
        except ValueError:  # another drive on Windows: no relative path exists
            return None
        if relative == ".." or relative.startswith("../"):
            return None
        return relative


def doc_section(doc: str, heading: str) -> str:
    """The body of `## heading` in a rule's page ("" when the page has no such section)."""
    lines = doc.splitlines()
    try:
        start = [line.strip() for line in lines].index(f"## {heading}") + 1
    except ValueError:
        return ""
    body: list[str] = []
    in_code = False
    for line in lines[start:]:
        if line.startswith("```"):
            in_code = not in_code
        elif line.startswith("## ") and not in_code:
            break
        body.append(line)
    return "\n".join(body).strip()
