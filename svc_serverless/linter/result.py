"""What a lint run produces, as every reporter sees it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from svc_serverless.linter.rule import SEVERITIES, Finding, Severity

if TYPE_CHECKING:
    from svc_serverless.linter.facts import Facts


@dataclass(frozen=True)
class RepoResult:
    """One linted repo. `error` is set when it could not be read or cloned at all.

    `name` is unique within a run (discover.distinct_names) and every finding's `repo` is the
    name of the repo it is in, so reports group findings by name.
    """

    name: str
    path: str  # as the user gave it or as cloned (absolute for clones)
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    facts: Facts | None = None
    crashes: int = 0  # rules that raised on this repo


@dataclass(frozen=True)
class LintResult:
    """The whole run: every repo (in input order) and every finding (sorted)."""

    repos: tuple[RepoResult, ...]
    findings: tuple[Finding, ...]
    org_crashes: int = 0
    fail_on: str = "error"
    root: str = "."  # the folder relative paths are relative to (SARIF's %SRCROOT%)
    rules: tuple[object, ...] = field(default=(), compare=False)  # linter.rule.AnyRule, for rule help
    # linter.custom.waivers.WaiverUse: the organisation's active waivers of the repos in this run
    waivers: tuple[object, ...] = field(default=(), compare=False)

    def counts(self, include_suppressed: bool = False) -> dict[Severity, int]:
        counter = Counter(
            f.severity for f in self.findings if include_suppressed or not f.suppressed
        )
        return {severity: counter.get(severity, 0) for severity in SEVERITIES}

    @property
    def suppressed_count(self) -> int:
        return sum(1 for f in self.findings if f.suppressed)

    @property
    def crashes(self) -> int:
        return self.org_crashes + sum(r.crashes for r in self.repos)

    def failing(self) -> list[Finding]:
        """Unsuppressed findings at or above --fail-on."""
        if self.fail_on == "never":
            return []
        threshold = SEVERITIES.index(self.fail_on)
        return [
            f for f in self.findings
            if not f.suppressed and SEVERITIES.index(f.severity) <= threshold
        ]
