"""The machine report: versioned JSON, described by linter/schemas/report.schema.json.

Suppressed findings are included and marked, so dashboards can audit them; every count in
`summary` leaves them out, as the exit code does. Bump REPORT_VERSION (and the schema's
`version` const) on any change a consumer could trip over: removing or renaming a field, or
changing a field's meaning. Adding a field is not such a change.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from svc_serverless import __version__
from svc_serverless.linter.report.common import group_by_repo
from svc_serverless.linter.report.safe import safe_json

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

REPORT_VERSION = 2  # 2: repos lost `cached` (svc has no result cache any more)

JsonObject = dict[str, object]


_encode = json.JSONEncoder(ensure_ascii=False).encode


def render(result: LintResult, *, color: bool = False) -> str:
    """One top-level key per line and one finding/repo per line.

    Readable and grep-able, and fast: `json.dumps(indent=...)` falls back to the pure-Python
    encoder, which costs seconds on a 10,000-repo report; each item here goes through the C one.
    """
    del color  # JSON has no colour; the parameter is part of every reporter's signature
    data = report(result)
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(_encode(item) for item in value)
            lines.append(f"  {_encode(key)}: [\n    {items}\n  ]")
        else:
            lines.append(f"  {_encode(key)}: {_encode(value)}")
    return safe_json("{\n" + ",\n".join(lines) + "\n}\n")


def report(result: LintResult) -> JsonObject:
    """The report as plain data (what `render` serialises)."""
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "svc", "version": __version__},
        "findings": [_finding(f) for f in result.findings],
        "repos": _repos(result),
        "summary": _summary(result),
    }


def _finding(finding: Finding) -> JsonObject:
    suppression = finding.suppression
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "repo": finding.repo,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "path": finding.path,
        "suppressed": suppression is not None,
        "suppression": None if suppression is None else {
            "reason": suppression.reason,
            "expires": suppression.expires,
            "source": suppression.source,
        },
    }


def _repos(result: LintResult) -> list[JsonObject]:
    # group_by_repo lists result.repos first and in order, so zip pairs each repo with its group
    # (repos known only from organisation findings are not repos that were read: left out).
    return [
        {
            "name": repo.name,
            "path": repo.path,
            "error": repo.error,
            "findings": len(group.shown),
            "suppressed": len(group.findings) - len(group.shown),
            "crashes": repo.crashes,
        }
        for repo, group in zip(result.repos, group_by_repo(result))
    ]


def _summary(result: LintResult) -> JsonObject:
    counts = result.counts()
    return {
        "error": counts["error"],
        "warning": counts["warning"],
        "info": counts["info"],
        "suppressed": result.suppressed_count,
        "crashes": result.crashes,
        "repos": len(result.repos),
        "unreadable": sum(1 for repo in result.repos if repo.error is not None),
        "failing": len(result.failing()),
        "fail_on": result.fail_on,
    }
