"""Reporters: one module per output format of `svc lint`, picked by name.

The registry holds module paths, not modules: `render` imports only the chosen reporter, so a
CI gate asking for JSON never pays for importing rich or xml (DESIGN.md §7). Every reporter
module satisfies `Reporter`: `render(result, *, color=False) -> str`. The human formats
(QUIET_FORMATS) also take `quiet=True`: only the findings, no summary (`svc lint --quiet`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, cast

from svc_serverless.errors import SvcError

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult

REPORTERS: dict[str, str] = {
    "text": "svc_serverless.linter.report.text",
    "concise": "svc_serverless.linter.report.concise",
    "json": "svc_serverless.linter.report.json_report",
    "sarif": "svc_serverless.linter.report.sarif",
    "junit": "svc_serverless.linter.report.junit",
    "github": "svc_serverless.linter.report.github",
    "markdown": "svc_serverless.linter.report.markdown",
    "html": "svc_serverless.linter.report.html",
}
# Formats with something besides findings to leave out; the others are data, always whole.
QUIET_FORMATS = ("text", "concise", "statistics")
# Not a --format: what `--statistics` prints in place of the text or concise report.
STATISTICS = "svc_serverless.linter.report.statistics"


class Reporter(Protocol):
    """What every module listed in REPORTERS provides."""

    def render(self, result: LintResult, *, color: bool = False) -> str: ...


class QuietReporter(Protocol):
    """What the modules of QUIET_FORMATS provide."""

    def render(self, result: LintResult, *, color: bool = False, quiet: bool = False) -> str: ...


def load(fmt: str) -> Reporter:
    """The reporter module for `fmt`, imported on first use."""
    try:
        module_path = REPORTERS[fmt]
    except KeyError:
        choices = ", ".join(REPORTERS)
        raise SvcError(f"unknown report format {fmt!r}: choose one of {choices}") from None
    return cast(Reporter, importlib.import_module(module_path))


def render(fmt: str, result: LintResult, *, color: bool = False, quiet: bool = False) -> str:
    """The report of `result` in format `fmt` (a key of REPORTERS, or "statistics"), credentials
    redacted; `quiet` leaves out all but the findings where a format has more."""
    from svc_serverless.linter.report.safe import redact_result

    safe = redact_result(result)
    if fmt in QUIET_FORMATS:
        path = STATISTICS if fmt == "statistics" else REPORTERS[fmt]
        return cast(QuietReporter, importlib.import_module(path)).render(
            safe, color=color, quiet=quiet)
    return load(fmt).render(safe, color=color)
