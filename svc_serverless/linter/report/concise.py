"""One line per finding, ruff's concise shape: `path:line:col: CODE [severity] message`.

For editors' problem matchers, `grep` and a quick look at many repos: the path is from the
current folder (a clone's is its name), nothing else but the summary line is printed, and
suppressed findings are only counted there. `quiet` leaves the summary out too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from svc_serverless.linter.report.common import cwd_file, group_by_repo, location, summary_line
from svc_serverless.linter.report.safe import escape_controls, neutralise_commands

if TYPE_CHECKING:
    from svc_serverless.linter.report.common import RepoGroup
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

# Plain ANSI (no rich): this format is meant to be the cheapest to produce.
_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[34m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def render(result: LintResult, *, color: bool = False, quiet: bool = False) -> str:
    lines: list[str] = []
    for group in group_by_repo(result):
        if group.error is not None:
            lines.append(f"{_place(group, '')}: {_severity('error', color)} could not be read: "
                         f"{_printable(group.error)}")
        lines += [_line(group, finding, color) for finding in group.shown]
    if not quiet:
        summary = summary_line(result)
        lines.append(f"{_BOLD}{summary}{_RESET}" if color else summary)
    # A repo's path starts each line: one named `::add-mask::x` must not command a CI runner.
    return neutralise_commands("".join(line + "\n" for line in lines))


def _line(group: RepoGroup, finding: Finding, color: bool) -> str:
    where = _printable(location(finding, _place(group, finding.file)))
    return (f"{where}: {finding.rule} {_severity(finding.severity, color)} "
            f"{_printable(finding.message)}")


def _place(group: RepoGroup, file: str) -> str:
    """The file from the current folder; a repo with no folder here is named instead."""
    path = cwd_file(group, file)
    if path is not None:
        return path
    return f"{group.name}/{file}" if file else group.name


def _severity(severity: str, color: bool) -> str:
    return f"{_COLOURS[severity]}[{severity}]{_RESET}" if color else f"[{severity}]"


def _printable(text: str) -> str:
    return escape_controls(_NEWLINES.sub(" ", text.strip()))
