"""Lint one repo: load it, run the enabled rules, turn problems into findings, apply suppressions.

This is the unit of work a worker process runs; it never raises for a broken repo. A repo
that cannot be read becomes a RepoResult with `error`. Anything that fails while svc processes
a repo (reading its policy, loading it, a rule, applying suppressions, extracting its facts)
becomes one SVC001 finding naming that stage, at error, and the other stages still run: a repo
svc could not fully check fails the gate, it never passes or drops out of the run silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.config import REPO_POLICY_PATH, Policy, policy_for_repo, with_cli
from svc_serverless.linter.facts import Facts
from svc_serverless.linter.model import MAX_FILES, LoadedRepo, find_template, load_repo
from svc_serverless.linter.result import RepoResult
from svc_serverless.linter.rule import Finding, OrgRule, Problem, Rule, Severity
from svc_serverless.linter.suppress import apply_suppressions
from svc_serverless.rules.engine import policy_invalid, rule_crashed, template_unparseable

CRASH_CODE = rule_crashed.RULE.code
MAX_CRASH_TEXT = 200  # an exception's text can quote a hostile template at any length


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


def describe_crash(err: BaseException) -> str:
    """`Type: text` of an unexpected exception, on one bounded line."""
    text = " ".join(str(err).split())
    if len(text) > MAX_CRASH_TEXT:
        text = text[:MAX_CRASH_TEXT - 3] + "..."
    return f"{err.__class__.__name__}: {text}" if text else err.__class__.__name__


def stage_crash(repo: str, file: str, stage: str, err: BaseException, consequence: str) -> Finding:
    """SVC001 for a stage of svc's own work that failed on this repo, and what it left unchecked."""
    return make_finding(rule_crashed.RULE, Problem(
        f"svc crashed while {stage}: {describe_crash(err)}; {consequence}",
        file=file, subject=stage,
    ), repo, file, "error")


def _severity(policy: Policy, rule: Rule | OrgRule) -> Severity:
    return policy.severity_of(rule.code, rule.severity)  # type: ignore[return-value]


def run_rules(repo: LoadedRepo, rules: Sequence[Rule]) -> list[Finding]:
    """Run every enabled rule with a check; a rule that raises is one SVC001 finding."""
    findings: list[Finding] = []
    for rule in rules:
        if rule.check is None or not repo.policy.enabled(rule.code):
            continue
        severity = _severity(repo.policy, rule)
        try:
            findings.extend(to_finding(rule, p, repo, severity) for p in rule.check(repo))
        except Exception as err:  # noqa: BLE001 - one rule's bug must not stop the run
            findings.append(to_finding(rule_crashed.RULE, Problem(
                f"rule {rule.code} ({rule.name}) crashed on this repo: {describe_crash(err)}",
                file=repo.template.path if repo.template else "", subject=rule.code,
            ), repo, "error"))
    return findings


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
    shown = display_path if display_path is not None else str(root)
    try:
        return _lint_repo(root, shown, organisation, rules, no_suppressions=no_suppressions,
                          cli=(cli_select, cli_ignore), today=today or date.today(), name=name)
    except Exception as err:  # noqa: BLE001 - the last guard: never a repo silently unchecked
        crash = stage_crash(name or root.name, "", "linting this repo", err, "it was not checked")
        return RepoResult(name=name or root.name, path=shown, findings=(crash,), crashes=1)


def _lint_repo(
    root: Path, shown: str, organisation: Policy, rules: Sequence[Rule], *,
    no_suppressions: bool, cli: tuple[tuple[str, ...], tuple[str, ...]], today: date,
    name: str | None,
) -> RepoResult:
    repo_name = name or root.name
    if not root.is_dir():
        return RepoResult(name=repo_name, path=shown, error=f"{shown} is not a folder")
    template = find_template(root)
    if template is None:
        return RepoResult(
            name=repo_name, path=shown,
            error=f"no template.yaml, template.yml or template.json at the root of {shown}",
        )
    policy, local, findings = _repo_policy(root, organisation, repo_name, rules)
    rules = (*rules, *local)
    try:
        repo = load_repo(root, with_cli(policy, *cli), name)
    except Exception as err:  # noqa: BLE001 - a loader bug is this repo's finding, not the run's
        findings.append(stage_crash(repo_name, template.name, "loading this repo", err,
                                    "no rule could check it"))
        return _result(repo_name, shown, findings, None)
    checked = run_rules(repo, rules)
    try:
        findings += apply_suppressions(repo, checked, rules, enabled=not no_suppressions,
                                       today=today)
    except Exception as err:  # noqa: BLE001 - unsuppressed findings are the safe outcome
        findings += [*checked, stage_crash(repo.name, template.name, "applying suppressions",
                                           err, "none of this repo's findings is suppressed")]
    facts, unread = _facts(repo, template.name)
    findings += unread
    # Rules saw only part of a repo this large: say so, and let the gate fail (it was not fully
    # checked) rather than pass on what was read.
    error = (f"{shown} has more than {MAX_FILES} files: svc read only part of it "
             "(vendored dependencies or build output?)") if repo.listing.truncated else None
    return _result(repo.name, shown, findings, facts, error)


def _repo_policy(
    root: Path, organisation: Policy, repo: str, rules: Sequence[Rule]
) -> tuple[Policy, tuple[Rule, ...], list[Finding]]:
    """The repo's effective policy and its own rules; when its policy file (or a rule file it
    names) is invalid, the organisation's policy alone."""
    from svc_serverless.linter.custom.local import local_rules, repo_policy_check

    try:
        policy = policy_for_repo(root, organisation, repo_policy_check(rules))
        return policy, local_rules(root, policy, rules), []
    except SvcError as err:
        return organisation, (), [make_finding(
            policy_invalid.RULE, Problem(str(err), file=REPO_POLICY_PATH), repo, "", "error")]
    except Exception as err:  # noqa: BLE001 - a policy reader bug is this repo's finding
        return organisation, (), [stage_crash(
            repo, REPO_POLICY_PATH, f"reading {REPO_POLICY_PATH}", err,
            "the repo was checked with the organisation policy alone")]


def _facts(repo: LoadedRepo, template: str) -> tuple[Facts | None, list[Finding]]:
    """The repo's facts, and a finding for each part svc could not read or for a crash."""
    from svc_serverless.linter.facts import read_facts

    try:
        facts, unread = read_facts(repo)
    except Exception as err:  # noqa: BLE001 - without facts the org rules cannot check this repo
        return None, [stage_crash(repo.name, template, "extracting facts from this repo", err,
                                  "the organisation rules could not check it")]
    return facts, [make_finding(template_unparseable.RULE, problem, repo.name, template, "error")
                   for problem in unread]


def _result(
    name: str, shown: str, findings: list[Finding], facts: Facts | None, error: str | None = None
) -> RepoResult:
    """The repo's result; its crash count is its SVC001 findings, so the two never disagree."""
    crashes = sum(1 for f in findings if f.rule == CRASH_CODE)
    return RepoResult(name=name, path=shown, error=error, findings=tuple(sorted(findings)),
                      facts=facts, crashes=crashes)


def run_org_rules(
    facts: Sequence[Facts], rules: Sequence[OrgRule], policy: Policy, crash_rule: Rule | None
) -> tuple[list[Finding], int]:
    """Run the organisation rules over every repo's facts; a crash is one SVC001 finding."""
    crashed = crash_rule or rule_crashed.RULE
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
            findings.append(make_finding(crashed, Problem(
                f"organisation rule {rule.code} ({rule.name}) crashed: {describe_crash(err)}",
                subject=rule.code,
            ), "(organisation)", "", "error"))
    return findings, crashes
