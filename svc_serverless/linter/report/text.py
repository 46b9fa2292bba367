"""The human report: findings grouped by repo, then one summary line.

Only repos with something to say (findings or a read error) are listed, so a run over hundreds
of repos stays short; the clean ones are counted on one line. Suppressed findings are hidden and
counted in the summary. Each finding is one line, `file:line:col  severity  CODE  name  message`:
the severity is spelled out because CI logs usually have no colour, and the file is a path from
the current folder, so a terminal or editor opens it at the line. `quiet` leaves out everything
but the findings (`svc lint --quiet`).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from svc_serverless.linter.report.common import (
    RepoGroup,
    cwd_file,
    group_by_repo,
    location,
    plural,
    summary_line,
)
from svc_serverless.linter.report.safe import escape_controls, neutralise_commands

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "blue"}
WIDTH = 120  # lines are never wrapped (soft_wrap); this only bounds rich's own layout

_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def render(result: LintResult, *, color: bool = False, quiet: bool = False) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,  # decided by the caller, not by $NO_COLOR / $FORCE_COLOR here
        width=WIDTH,
        highlight=False,
    )
    groups = group_by_repo(result)
    for group in groups:
        if group.error is None and not group.shown:
            continue
        for line in _repo_block(group):
            console.print(line, soft_wrap=True)
        if not quiet:
            console.print()
    clean = sum(1 for g in groups if g.error is None and not g.shown)
    if clean and not quiet:
        console.print(f"{plural(clean, 'repo')} clean", soft_wrap=True)
    if not quiet:
        console.print(Text(summary_line(result), style="bold"), soft_wrap=True)
    # CI logs are this format's usual reader: a repo named `::add-mask::x` starts a line.
    return neutralise_commands(out.getvalue())


def _repo_block(group: RepoGroup) -> list[Text]:
    header = Text(_printable(group.name), style="bold")
    if group.path_note:
        header.append("  ").append(_printable(group.path_note), style="dim")
    lines = [header]
    if group.error is not None:
        lines.append(Text("  could not be read: ").append(_printable(group.error), style="red"))
    lines += [_finding_line(f, cwd_file(group, f.file)) for f in group.shown]
    return lines


def _finding_line(finding: Finding, file: str | None) -> Text:
    line = Text("  ")
    line.append(_printable(location(finding, file)), style="bold")
    line.append("  ").append(finding.severity, style=SEVERITY_STYLES[finding.severity])
    line.append(f"  {finding.rule}  ").append(finding.name, style="dim")
    line.append("  ").append(_printable(finding.message))
    return line


def _printable(text: str) -> str:
    """One line per finding (grep-able), without terminal control characters.

    Repo text goes into rich as `Text`, never as a markup string, so `[bold]` in it is shown,
    not obeyed.
    """
    return escape_controls(_NEWLINES.sub(" ", text.strip()))
