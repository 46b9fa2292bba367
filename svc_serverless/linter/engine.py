"""Lint one repo: load it, run the enabled rules, turn problems into findings, apply suppressions.

This is the unit of work a worker process runs; it never raises for a broken repo. A repo
that cannot be read becomes a RepoResult with `error`; a rule that raises becomes one SVC001
finding and the other rules still run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.config import Policy, policy_for_repo
from svc_serverless.linter.facts import Facts
from svc_serverless.linter.model import MAX_FILES, LoadedRepo, find_template, load_repo
from svc_serverless.linter.result import RepoResult
from svc_serverless.linter.rule import Finding, OrgRule, Problem, Rule, Severity
from svc_serverless.linter.suppress import apply_suppressions

CRASH_CODE = "SVC001"
POLICY_INVALID_CODE = "SVC005"


def fingerprint(rule: str, file: str, path: str, subject: str) -> str:
    """A finding's identity within its repo across edits: no line numbers, never equal across
    files, and no repo or checkout folder name (a baseline must still match in a checkout
    named `src`; which repo a finding is in is the baseline's business, not the fingerprint's).
    """
    text = f"{rule}\x1f{file}\x1f{path}\x1f{subject}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def to_finding(rule: Rule, problem: Problem, repo: LoadedRepo, severity: Severity) -> Finding:
    return make_finding(rule, problem, repo.name, repo.template.path if repo.template else "",
                        severity)


def make_finding(
    rule: Rule | OrgRule, problem: Problem, repo: str, template_path: str, severity: Severity
) -> Finding:
    """The one place a Problem becomes a Finding: location from the node, stable fingerprint."""
    file = problem.file
    line, col = problem.line, problem.col
    if problem.node is not None:
        node_line, node_col = position(problem.node)
        line, col = line or node_line, col or node_col
        file = file or template_path
    subject = problem.subject or (problem.node if isinstance(problem.node, str) else "")
    return Finding(
        repo=repo,
        file=file,
        line=line,
        column=col,
        rule=rule.code,
        name=rule.name,
        severity=severity,
        message=problem.message,
        fingerprint=fingerprint(rule.code, file, problem.path or file, str(subject)),
        path=problem.path,
    )


def engine_finding(
    rule: Rule, repo: LoadedRepo, message: str, file: str, line: int = 0, subject: str = ""
) -> Finding:
    return to_finding(rule, Problem(message, file=file, line=line, subject=subject), repo,
                      _severity(repo.policy, rule))


def _severity(policy: Policy, rule: Rule | OrgRule) -> Severity:
    return policy.severity_of(rule.code, rule.severity)  # type: ignore[return-value]


def run_rules(repo: LoadedRepo, rules: Sequence[Rule]) -> tuple[list[Finding], int]:
    """Run every enabled rule with a check; return findings and the number of crashes."""
    by_code = {rule.code: rule for rule in rules}
    findings: list[Finding] = []
    crashes = 0
    for rule in rules:
        if rule.check is None or not repo.policy.enabled(rule.code):
            continue
        severity = _severity(repo.policy, rule)
        try:
            findings.extend(to_finding(rule, p, repo, severity) for p in rule.check(repo))
        except Exception as err:  # noqa: BLE001 - one rule's bug must not stop the run
            crashes += 1
            crashed = by_code.get(CRASH_CODE)
            if crashed is not None:
                findings.append(engine_finding(
                    crashed, repo,
                    f"rule {rule.code} ({rule.name}) crashed on this repo: "
                    f"{err.__class__.__name__}: {err}",
                    file=repo.template.path if repo.template else "",
                    subject=rule.code,
                ))
    return findings, crashes


def lint_repo(
    root: Path,
    organisation: Policy,
    rules: Sequence[Rule],
    *,
    no_suppressions: bool = False,
    cli_select: tuple[str, ...] = (),
    cli_ignore: tuple[str, ...] = (),
    display_path: str | None = None,
    today: date | None = None,
    name: str | None = None,
) -> RepoResult:
    """Lint the repo at root. `display_path` is how reports name its location."""
    from svc_serverless.linter.config import with_cli
    from svc_serverless.linter.facts import extract_facts

    shown = display_path if display_path is not None else str(root)
    if not root.is_dir():
        return RepoResult(name=name or root.name, path=shown, error=f"{shown} is not a folder")
    if find_template(root) is None:
        return RepoResult(
            name=name or root.name, path=shown,
            error=f"no template.yaml, template.yml or template.json at the root of {shown}",
        )
    policy_error: str | None = None
    try:
        policy = policy_for_repo(root, organisation)
    except SvcError as err:
        policy, policy_error = organisation, str(err)
    policy = with_cli(policy, cli_select, cli_ignore)
    repo = load_repo(root, policy, name)
    findings, crashes = run_rules(repo, rules)
    if policy_error is not None:
        rule = next((r for r in rules if r.code == POLICY_INVALID_CODE), None)
        if rule is not None:
            findings.append(engine_finding(rule, repo, policy_error, ".svc/policy.yaml"))
    findings = apply_suppressions(
        repo, findings, rules, enabled=not no_suppressions, today=today or date.today()
    )
    try:
        facts = extract_facts(repo)
    except Exception:  # noqa: BLE001 - facts feed org rules; a failure is a crash, not a stop
        facts, crashes = None, crashes + 1
    # Rules saw only part of a repo this large: say so, and let the gate fail (it was not fully
    # checked) rather than pass on what was read.
    error = (f"{shown} has more than {MAX_FILES} files: svc read only part of it "
             "(vendored dependencies or build output?)") if repo.listing.truncated else None
    return RepoResult(
        name=repo.name,
        path=shown,
        error=error,
        findings=tuple(sorted(findings)),
        facts=facts,
        crashes=crashes,
    )


def run_org_rules(
    facts: Sequence[Facts], rules: Sequence[OrgRule], policy: Policy, crash_rule: Rule | None
) -> tuple[list[Finding], int]:
    """Run the organisation rules over every repo's facts; a crash is one SVC001 finding."""
    findings: list[Finding] = []
    crashes = 0
    for rule in rules:
        if not policy.enabled(rule.code) or len(facts) < rule.min_repos:
            continue
        severity = _severity(policy, rule)
        try:
            findings.extend(
                make_finding(rule, p.problem, p.repo, "template.yaml", severity)
                for p in rule.check(facts, policy)
            )
        except Exception as err:  # noqa: BLE001 - one rule's bug must not stop the run
            crashes += 1
            if crash_rule is not None:
                findings.append(make_finding(crash_rule, Problem(
                    f"organisation rule {rule.code} ({rule.name}) crashed: "
                    f"{err.__class__.__name__}: {err}", subject=rule.code,
                ), "(organisation)", "", _severity(policy, crash_rule)))
    return findings, crashes
