"""GitHub Actions workflow commands: one annotation per unsuppressed finding, then a summary.

`::error file=F,line=L,col=C,title=T::message` shows on the pull request's diff at that line.
Paths are relative to the run's root, which in a workflow is the checkout. Line and column are
left out when unknown (0), so GitHub annotates the file as a whole. GitHub shows only the first
few annotations of each kind per step: the Markdown report is the full list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svc_serverless.linter.report.common import ArtifactPaths, summary_line
from svc_serverless.linter.report.safe import escape_controls, neutralise_commands

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: LintResult, *, color: bool = False) -> str:
    del color  # the log viewer colours annotations itself
    paths = ArtifactPaths(result)
    lines = [_annotation(f, paths) for f in result.findings if not f.suppressed]
    lines += [
        _command("error", {"title": "repo could not be read"}, f"{repo.name}: {repo.error}")
        for repo in result.repos
        if repo.error is not None
    ]
    lines.append(f"svc lint: {summary_line(result)}")
    # Every line is one of svc's own commands, and %0A keeps repo text from starting a line of
    # its own; `##[` (GitHub's older commands, Azure's) would still be obeyed mid-line.
    return neutralise_commands("\n".join(lines) + "\n", line_starts=False)


def _annotation(finding: Finding, paths: ArtifactPaths) -> str:
    properties: dict[str, str] = {}
    if finding.file:
        properties["file"] = paths(finding)
        if finding.line >= 1:
            properties["line"] = str(finding.line)
            if finding.column >= 1:
                properties["col"] = str(finding.column)
    properties["title"] = f"{finding.rule} {finding.name}"
    return _command(COMMANDS[finding.severity], properties, finding.message)


def _command(name: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{name} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    """The toolkit's escapeData: a newline would end the command, % starts an escape."""
    return escape_controls(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """The toolkit's escapeProperty: `:` and `,` also separate properties."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
