"""The engine: findings from problems, crash isolation, policy precedence, suppressions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from svc_serverless.linter.config import Policy, apply
from svc_serverless.linter.engine import lint_repo
from tests.linter.conftest import TEMPLATE, TEST_RULES

TODAY = date(2026, 11, 24)


def rows(result: object) -> list[tuple[str, str, int, int, bool]]:
    return [(f.rule, f.file, f.line, f.column, f.suppressed) for f in result.findings]  # type: ignore[attr-defined]


def test_problems_become_findings_at_the_node_and_a_crash_is_one_finding(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"template.yaml": TEMPLATE})
    result = lint_repo(root, Policy(), TEST_RULES, today=TODAY)
    assert rows(result) == [
        ("SVC001", "template.yaml", 0, 0, False),
        ("TST001", "template.yaml", 7, 14, False),
        ("TST001", "template.yaml", 8, 14, False),
    ]
    assert result.crashes == 1
    crash = result.findings[0]
    assert crash.message == "rule TST002 (test-crash) crashed on this repo: KeyError: 'Properties'"
    assert result.findings[1].message == "imports payments-Table"


def test_fingerprints_ignore_lines_and_folder_names_but_not_files(make_repo: Callable[..., Path]) -> None:
    policy = Policy(select=("TST001",))
    first = lint_repo(make_repo({"template.yaml": TEMPLATE}, "billing"), policy, TEST_RULES)
    # The same repo checked out as `src` (CodeBuild's folder), lines moved down.
    shifted = lint_repo(make_repo({"template.yaml": "# moved\n\n" + TEMPLATE}, "src"), policy, TEST_RULES)
    other_file = lint_repo(make_repo({"template.yml": TEMPLATE}, "orders"), policy, TEST_RULES)
    assert [f.line for f in shifted.findings] == [9, 10]
    assert first.findings[0].fingerprint != first.findings[1].fingerprint
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in shifted.findings]
    assert {f.fingerprint for f in first.findings}.isdisjoint(f.fingerprint for f in other_file.findings)


def test_fingerprint_is_stable_when_lines_move(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"template.yaml": TEMPLATE})
    before = lint_repo(root, Policy(select=("TST001",)), TEST_RULES)
    (root / "template.yaml").write_text("# a comment\n" + TEMPLATE, encoding="utf-8")
    after = lint_repo(root, Policy(select=("TST001",)), TEST_RULES)
    assert [f.line for f in after.findings] == [8, 9]
    assert [f.fingerprint for f in before.findings] == [f.fingerprint for f in after.findings]


def test_select_ignore_and_severity_precedence(make_repo: Callable[..., Path]) -> None:
    root = make_repo({
        "template.yaml": TEMPLATE,
        ".svc/policy.yaml": "version: 1\nignore: [TST001]\nseverity: {TST002: info}\n",
    })
    org = apply(Policy(), {"severity": {"TST": "warning"}}, organisation=True)
    result = lint_repo(root, org, TEST_RULES)
    assert [(f.rule, f.severity) for f in result.findings] == [("SVC001", "error")]
    # A mandatory rule cannot be ignored or downgraded by the repo's own policy.
    org = apply(Policy(), {"mandatory": ["TST001"]}, organisation=True)
    result = lint_repo(root, org, TEST_RULES)
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("SVC001", "error"), ("TST001", "error"), ("TST001", "error"),
    ]
    # The command line overrides the files.
    result = lint_repo(root, Policy(), TEST_RULES, cli_select=("TST002",))
    assert [f.rule for f in result.findings] == ["SVC001"]


def test_invalid_repo_policy_is_a_finding_and_the_org_policy_applies(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"template.yaml": TEMPLATE, ".svc/policy.yaml": "version: 1\nignore: TST001\n"})
    result = lint_repo(root, Policy(select=("TST001", "SVC")), TEST_RULES)
    assert [(f.rule, f.file, f.line) for f in result.findings] == [
        ("SVC005", ".svc/policy.yaml", 0), ("TST001", "template.yaml", 7), ("TST001", "template.yaml", 8),
    ]
    assert result.findings[0].message.endswith(
        "invalid policy at ignore: 'TST001' is not of type 'array'; see `svc lint --help` for the policy format"
    )


METADATA_SUPPRESSED = TEMPLATE.replace(
    "    Type: AWS::Serverless::Function\n",
    "    Type: AWS::Serverless::Function\n"
    "    Metadata:\n"
    "      svc:\n"
    "        ignore:\n"
    "          - rule: TST001\n"
    "            reason: PLAT-1 moves to the payments API\n"
    "            expires: 2027-01-31\n",
)


def test_metadata_suppression_marks_findings_of_that_resource(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"template.yaml": METADATA_SUPPRESSED})
    result = lint_repo(root, Policy(select=("TST001", "SVC")), TEST_RULES, today=TODAY)
    assert rows(result) == [
        ("TST001", "template.yaml", 13, 14, True),
        ("TST001", "template.yaml", 14, 14, True),
    ]
    assert result.findings[0].suppression is not None
    assert result.findings[0].suppression.reason == "PLAT-1 moves to the payments API"
    audit = lint_repo(root, Policy(select=("TST001", "SVC")), TEST_RULES, today=TODAY, no_suppressions=True)
    assert [f.suppressed for f in audit.findings] == [False, False]


def test_expired_and_reasonless_suppressions_are_findings_and_suppress_nothing(
    make_repo: Callable[..., Path],
) -> None:
    expired = lint_repo(make_repo({"template.yaml": METADATA_SUPPRESSED}, "e"),
                        Policy(select=("TST001", "SVC")), TEST_RULES, today=date(2027, 2, 1))
    assert rows(expired) == [
        ("SVC004", "template.yaml", 7, 13, False),
        ("TST001", "template.yaml", 13, 14, False),
        ("TST001", "template.yaml", 14, 14, False),
    ]
    assert expired.findings[0].message == (
        "suppression of TST001 expired on 2027-01-31: fix the findings or renew it with a new date and reason"
    )
    noreason = METADATA_SUPPRESSED.replace("            reason: PLAT-1 moves to the payments API\n", "")
    result = lint_repo(make_repo({"template.yaml": noreason}, "n"),
                       Policy(select=("TST001", "SVC")), TEST_RULES, today=TODAY)
    assert rows(result)[0] == ("SVC003", "template.yaml", 7, 13, False)
    assert result.findings[0].message == 'suppression of TST001 has no reason: add reason: "..."'


def test_comment_suppression_covers_its_line_or_the_next(make_repo: Callable[..., Path]) -> None:
    text = TEMPLATE.replace(
        "A: !ImportValue payments-Table",
        'A: !ImportValue payments-Table  # svc: ignore[TST001] reason="PLAT-2"',
    ).replace(
        "          B: !ImportValue orders-Queue",
        '          # svc: ignore[TST001] reason="PLAT-3" expires=2026-12-31\n          B: !ImportValue orders-Queue',
    )
    result = lint_repo(make_repo({"template.yaml": text}), Policy(select=("TST001", "SVC")), TEST_RULES, today=TODAY)
    assert rows(result) == [("TST001", "template.yaml", 7, 14, True), ("TST001", "template.yaml", 9, 14, True)]


def test_suppressing_a_mandatory_or_unknown_rule_is_refused(make_repo: Callable[..., Path]) -> None:
    text = TEMPLATE.replace(
        "A: !ImportValue payments-Table",
        'A: !ImportValue payments-Table  # svc: ignore[TST001,NOPE1] reason="x"',
    )
    root = make_repo({"template.yaml": text})
    result = lint_repo(root, Policy(select=("TST001", "SVC")), TEST_RULES, today=TODAY)
    assert rows(result) == [
        ("TST001", "template.yaml", 7, 14, False),
        ("SVC003", "template.yaml", 7, 43, False),
        ("TST001", "template.yaml", 8, 14, False),
    ]
    assert result.findings[1].message == "suppression names unknown rule NOPE1: see `svc rules`"
    org = apply(Policy(select=("TST001", "SVC")), {"mandatory": ["TST001"]}, organisation=True)
    text = text.replace(",NOPE1", "")
    (root / "template.yaml").write_text(text, encoding="utf-8")
    result = lint_repo(root, org, TEST_RULES, today=TODAY)
    assert rows(result) == [
        ("TST001", "template.yaml", 7, 14, False),
        ("SVC003", "template.yaml", 7, 43, False),
        ("TST001", "template.yaml", 8, 14, False),
    ]
    assert result.findings[1].message == (
        "rule TST001 is mandatory in the organisation policy and cannot be suppressed"
    )


def test_a_repo_cannot_lower_a_mandatory_rule_through_a_prefix(make_repo: Callable[..., Path]) -> None:
    root = make_repo({
        "template.yaml": TEMPLATE,
        ".svc/policy.yaml": "version: 1\nseverity: {TST: info}\nignore: [TST]\n",
    })
    org = apply(Policy(select=("TST001",)), {"mandatory": ["TST001"]}, organisation=True)
    result = lint_repo(root, org, TEST_RULES)
    assert [(f.rule, f.severity) for f in result.findings] == [("TST001", "error"), ("TST001", "error")]
