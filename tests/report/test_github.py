"""GitHub Actions workflow commands."""

from __future__ import annotations

from svc_serverless.linter.report.github import render
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report import samples


def test_empty_run() -> None:
    assert render(samples.empty()) == "svc lint: 0 errors, 0 warnings, 0 info in 0 repos\n"


def test_mixed_run_annotates_unsuppressed_findings_and_unreadable_repos() -> None:
    assert render(samples.mixed()).splitlines() == [
        ("::notice file=services/orders/functions/api/requirements.txt,title=LAY002 one-manifest"
         "::functions/api has two dependency manifests"),
        ("::error file=services/orders/template.yaml,line=12,col=7,title=SN001 no-import-value"
         "::Fn::ImportValue payments-TableName reads another stack's output"),
        ("::warning file=services/payments/functions/refund,title=LAY001 function-dir-unused"
         "::functions/refund is not referenced by template.yaml"),
        f"::error title=repo could not be read::legacy: {samples.UNREADABLE}",
        "svc lint: 1 error, 1 warning, 1 info in 4 repos (2 suppressed, 1 repo could not be read)",
    ]


def test_a_line_without_column_has_no_col() -> None:
    finding = samples.finding("a", "template.yaml", 8, 0, "SN001", "warning", "m")
    result = LintResult(repos=(RepoResult("a", "."),), findings=(finding,))
    assert render(result).splitlines()[0] == (
        "::warning file=template.yaml,line=8,title=SN001 no-import-value::m"
    )


def test_special_characters_are_escaped_in_data_and_properties() -> None:
    assert render(samples.special()).splitlines()[0] == (
        "::error file=odd dir/functions/a%2Cb%3Ac.yaml,line=3,col=5,title=SN001 no-import-value"
        "::a | b, 100%25: <tag> & café ☕%0Asecond line \\x1b[31m"
    )


def test_carriage_returns_and_percent_signs_in_properties() -> None:
    finding = samples.finding("a", "100%\r.yaml", 1, 1, "SN001", "error", "m\r\n")
    result = LintResult(repos=(RepoResult("a", "."),), findings=(finding,))
    assert render(result).splitlines()[0] == (
        "::error file=100%25%0D.yaml,line=1,col=1,title=SN001 no-import-value::m%0D%0A"
    )
