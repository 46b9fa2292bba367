"""Reporters: one module per output format of `svc lint`, picked by name.

The registry holds module paths, not modules: `render` imports only the chosen reporter, so a
CI gate asking for JSON never pays for importing rich or xml (DESIGN.md §7). Every reporter
module satisfies `Reporter`: `render(result, *, color=False) -> str`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, cast

from svc_serverless.errors import SvcError

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult

REPORTERS: dict[str, str] = {
    "text": "svc_serverless.linter.report.text",
    "json": "svc_serverless.linter.report.json_report",
    "sarif": "svc_serverless.linter.report.sarif",
    "junit": "svc_serverless.linter.report.junit",
    "github": "svc_serverless.linter.report.github",
    "markdown": "svc_serverless.linter.report.markdown",
    "html": "svc_serverless.linter.report.html",
}


class Reporter(Protocol):
    """What every module listed in REPORTERS provides."""

    def render(self, result: LintResult, *, color: bool = False) -> str: ...


def load(fmt: str) -> Reporter:
    """The reporter module for `fmt`, imported on first use."""
    try:
        module_path = REPORTERS[fmt]
    except KeyError:
        choices = ", ".join(REPORTERS)
        raise SvcError(f"unknown report format {fmt!r}: choose one of {choices}") from None
    return cast(Reporter, importlib.import_module(module_path))


def render(fmt: str, result: LintResult, *, color: bool = False) -> str:
    """The report of `result` in format `fmt` (a key of REPORTERS), credentials redacted."""
    from svc_serverless.linter.report.safe import redact_result

    return load(fmt).render(redact_result(result), color=color)
