"""The HTML report's section on the organisation's active waivers, grouped by owning team.

Kept apart from html.py: it only needs the run's waivers (LintResult.waivers) and escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from svc_serverless.linter.report.safe import escape_controls

if TYPE_CHECKING:
    from svc_serverless.linter.custom.waivers import WaiverUse
    from svc_serverless.linter.result import LintResult


def waivers_section(result: LintResult) -> str:
    """`<section>` listing each team's active waivers ("" when the run has none)."""
    from svc_serverless.linter.custom.waivers import WaiverUse

    uses = [u for u in result.waivers if isinstance(u, WaiverUse)]
    if not uses:
        return ""
    parts = ['<section class="waivers">', "<h2>Active waivers</h2>"]
    for owner in sorted({u.waiver.owner for u in uses}):
        parts.append(f"<h3>{_text(owner)}</h3>")
        parts.append(_table([u for u in uses if u.waiver.owner == owner]))
    parts.append("</section>")
    return "\n".join(parts)


def _table(uses: Sequence[WaiverUse]) -> str:
    head = "".join(f"<th>{h}</th>" for h in
                   ("rule", "repo", "resource", "reason", "expires", "findings waived"))
    rows = [
        "<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in (
            u.waiver.rule, u.waiver.repo, u.waiver.resource or "(whole repo)", u.waiver.reason,
            u.waiver.expires, str(u.findings))) + "</tr>"
        for u in sorted(uses, key=lambda u: (u.waiver.repo, u.waiver.rule, u.waiver.resource))
    ]
    return f'<table class="waivers"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _text(text: str) -> str:
    return escape(escape_controls(text), quote=True)
