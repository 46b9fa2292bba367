"""The concise report: one line per finding, `path:line:col: CODE [severity] message`."""

from __future__ import annotations

from svc_serverless.linter.report import render
from svc_serverless.linter.result import LintResult
from tests.report import samples


def test_one_line_per_finding_with_paths_from_the_current_folder() -> None:
    assert render("concise", samples.mixed()).splitlines() == [
        ("services/orders/functions/api/requirements.txt: LAY002 [info] "
         "functions/api has two dependency manifests"),
        ("services/orders/template.yaml:12:7: SN001 [error] "
         "Fn::ImportValue payments-TableName reads another stack's output"),
        "services/payments/functions/refund: LAY001 [warning] functions/refund is not referenced by template.yaml",
        ("services/legacy: [error] could not be read: no template.yaml, template.yml or "
         "template.json at the root of services/legacy"),
        "1 error, 1 warning, 1 info in 4 repos (2 suppressed, 1 repo could not be read)",
    ]


def test_quiet_leaves_only_the_findings() -> None:
    result = samples.special()
    assert render("concise", result, quiet=True) == (
        "odd dir/functions/a,b:c.yaml:3:5: SN001 [error] "
        "a | b, 100%: <tag> & café ☕ second line \\x1b[31m\n"
    )


def test_a_repo_with_no_folder_here_is_named() -> None:
    org = samples.finding("billing", "catalog-info.yaml", 2, 3, "ORG001", "error", "two names")
    assert render("concise", LintResult(repos=(), findings=(org,)), quiet=True) == (
        "billing/catalog-info.yaml:2:3: ORG001 [error] two names\n"
    )


def test_colour_marks_the_severity_only() -> None:
    lines = render("concise", samples.special(), color=True).splitlines()
    assert lines[0].startswith("odd dir/functions/a,b:c.yaml:3:5: SN001 \x1b[1;31m[error]\x1b[0m a | b")
