"""What a rule author needs: the rule records, what a rule reports, and what the engine emits.

A rule reports a `Problem` (what is wrong and where: a value of the template, or a file of the
repo). The engine stamps the rule's code, name and severity onto it and turns it into an immutable
`Finding`, so a rule cannot mislabel itself (research/style-anchors.md §2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from svc_serverless.fix.context import FixContext
    from svc_serverless.linter.config import Policy
    from svc_serverless.linter.facts import Facts
    from svc_serverless.linter.model import LoadedRepo

Severity = Literal["error", "warning", "info"]
# "safe": `svc lint --fix` applies it; "unsafe": only with --unsafe-fixes (it may change how
# deployed resources behave); "partly-unsafe": safe fixes, plus unsafe ones behind the flag.
FixSafety = Literal["safe", "unsafe", "partly-unsafe"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Problem:
    """What a rule found, and where.

    `node` is a value read from the template (it carries its line and column) and then `file`
    defaults to the template's path; otherwise `file` is a repo-relative POSIX path and `line`
    (1-based, 0 for "the file as a whole") says where in it. `path` is the stable logical place,
    e.g. "Resources/Table/Properties/SSESpecification": together with `subject` (the offending
    value) it identifies the finding across edits for baselines, so it must not hold line numbers.
    """

    message: str
    node: object = None
    file: str = ""
    line: int = 0
    col: int = 0
    path: str = ""
    subject: str = ""


@dataclass(frozen=True)
class OrgProblem:
    """What an organisation rule found: a problem located in one repo (named by service)."""

    repo: str
    problem: Problem


@dataclass(frozen=True)
class Rule:
    """A rule that looks at one loaded repo. Its module docstring is its documentation.

    `check` is None for the few rules the engine itself reports (a rule crashed, a suppression
    is invalid): they have a code and a page like every other rule, but no check of their own.
    """

    code: str
    name: str
    severity: Severity
    tags: tuple[str, ...]
    doc: str
    check: Callable[[LoadedRepo], Iterable[Problem]] | None
    # JSON Schema of the rule's options (an object schema), shown on its page; None: no options.
    options: Mapping[str, Any] | None = None
    # How `svc lint --fix` repairs this rule's findings (it edits through the context, which
    # writes nothing itself); None: the rule has no automatic fix.
    fix: Callable[[FixContext, Sequence[Finding]], None] | None = None
    fix_safety: FixSafety = "safe"


@dataclass(frozen=True)
class OrgRule:
    """A rule that looks at the facts of every repo at once, under the organisation's policy.

    `min_repos` is how many repos the rule needs to mean anything: 2 for rules that compare
    repos (with one repo every published event is "unconsumed"), 1 for the per-repo checks that
    work on facts (manifest vs template, scaffold drift), so those also run in a single repo's
    CI gate.
    """

    code: str
    name: str
    severity: Severity
    tags: tuple[str, ...]
    doc: str
    check: Callable[[Sequence[Facts], Policy], Iterable[OrgProblem]]
    min_repos: int = 2
    options: Mapping[str, Any] | None = None  # as Rule.options


AnyRule = Rule | OrgRule


@dataclass(frozen=True)
class Suppression:
    """Why a finding is accepted, and until when (ISO date or "")."""

    reason: str
    expires: str = ""
    source: str = ""  # "metadata" or "comment"


@dataclass(frozen=True, order=True)
class Finding:
    """One result as every reporter sees it; field order is the report's sort order."""

    repo: str
    file: str
    line: int
    column: int
    rule: str
    name: str
    severity: Severity
    message: str
    fingerprint: str
    path: str = field(default="", compare=False)  # logical place, e.g. Resources/Table/Properties
    suppression: Suppression | None = field(default=None, compare=False)

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None
