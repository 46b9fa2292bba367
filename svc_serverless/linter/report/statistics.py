"""`svc lint --statistics`: how many findings each rule has, most first, as ruff prints them.

One line per rule, `count  CODE  severity  name`, for deciding what to fix or waive first in a
large organisation; suppressed findings are left out (as from every count), and the summary
line follows unless `quiet`.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from svc_serverless.linter.report.common import summary_line
from svc_serverless.linter.report.safe import escape_controls, neutralise_commands

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult

_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[34m"}
_RESET = "\x1b[0m"


def render(result: LintResult, *, color: bool = False, quiet: bool = False) -> str:
    shown = [f for f in result.findings if not f.suppressed]
    counts = Counter((f.rule, f.severity, f.name) for f in shown)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for _, count in rows), default=1)
    code_width = max((len(rule) for (rule, _, _), _ in rows), default=0)
    lines = []
    for (rule, severity, name), count in rows:
        level = f"{_COLOURS[severity]}{severity:<7}{_RESET}" if color else f"{severity:<7}"
        lines.append(f"{count:>{width}}  {rule:<{code_width}}  {level}  {escape_controls(name)}")
    if not quiet:
        lines.append(summary_line(result))
    # A custom rule's name is the organisation's text: it must not start a runner command.
    return neutralise_commands("".join(line.rstrip() + "\n" for line in lines))
