"""The human report."""

from __future__ import annotations

import re

import pytest

from svc_serverless.linter.report.text import render
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report import samples


def test_empty_run() -> None:
    assert render(samples.empty()) == "0 errors, 0 warnings, 0 info in 0 repos\n"


def test_clean_repos_are_only_counted() -> None:
    result = LintResult(repos=(RepoResult("a", "a"), RepoResult("b", "b")), findings=())
    assert render(result) == "2 repos clean\n0 errors, 0 warnings, 0 info in 2 repos\n"


def test_mixed_run_lists_repos_with_findings_or_errors_and_hides_suppressed_findings() -> None:
    assert render(samples.mixed()).splitlines() == [
        "orders  services/orders",
        ("  services/orders/functions/api/requirements.txt  info  LAY002  one-manifest  "
         "functions/api has two dependency manifests"),
        ("  services/orders/template.yaml:12:7  error  SN001  no-import-value  "
         "Fn::ImportValue payments-TableName reads another stack's output"),
        "",
        "payments  services/payments",
        ("  services/payments/functions/refund  warning  LAY001  function-dir-unused  "
         "functions/refund is not referenced by template.yaml"),
        "",
        "legacy  services/legacy",
        ("  could not be read: no template.yaml, template.yml or template.json at the root of "
         "services/legacy"),
        "",
        "1 repo clean",
        "1 error, 1 warning, 1 info in 4 repos (2 suppressed, 1 repo could not be read)",
    ]


def test_special_characters_stay_on_one_line_and_cannot_reach_the_terminal() -> None:
    assert render(samples.special()) == (
        "odd  odd dir\n"
        "  odd dir/functions/a,b:c.yaml:3:5  error  SN001  no-import-value  "
        "a | b, 100%: <tag> & café ☕ second line \\x1b[31m\n"
        "\n"
        "1 error, 0 warnings, 0 info in 1 repo\n"
    )


def test_a_repo_known_by_its_name_only_has_a_bare_header() -> None:
    org = samples.finding("billing", "template.yaml", 1, 1, "SN001", "error", "org rule")
    assert render(LintResult(repos=(), findings=(org,))).splitlines()[:2] == [
        "billing",
        "  template.yaml:1:1  error  SN001  no-import-value  org rule",
    ]


def test_color_marks_severity_and_structure() -> None:
    lines = render(samples.mixed(), color=True).splitlines()
    assert lines[2] == (
        "  \x1b[1mservices/orders/template.yaml:12:7\x1b[0m  \x1b[1;31merror\x1b[0m  SN001  "
        "\x1b[2mno-import-value\x1b[0m  "
        "Fn::ImportValue payments-TableName reads another stack's output"
    )
    assert lines[5] == (
        "  \x1b[1mservices/payments/functions/refund\x1b[0m  \x1b[33mwarning\x1b[0m  LAY001  "
        "\x1b[2mfunction-dir-unused\x1b[0m  functions/refund is not referenced by template.yaml"
    )


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS"])
def test_the_environment_does_not_change_the_output(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller decides on colour; a narrow $COLUMNS must not wrap long lines either."""
    plain, colored = render(samples.mixed()), render(samples.mixed(), color=True)
    monkeypatch.setenv(variable, "1")
    assert render(samples.mixed()) == plain
    assert render(samples.mixed(), color=True) == colored


@pytest.mark.parametrize("path", [".", "orders"])
def test_the_header_leaves_out_a_path_that_says_nothing_more(path: str) -> None:
    result = LintResult(repos=(RepoResult("orders", path),), findings=(samples.SN001,))
    assert render(result).splitlines()[0] == "orders"


def test_repo_text_is_never_read_as_rich_markup_or_emoji() -> None:
    odd = samples.finding("[bold red]x[/]", "a[/].yaml", 1, 1, "SN001", "error",
                          "uses [link=https://evil.example]here[/link] :smile:")
    result = LintResult(repos=(RepoResult("[bold red]x[/]", "[dim]p"),), findings=(odd,))
    for color in (False, True):
        plain = re.sub("\x1b\\[[0-9;]*m", "", render(result, color=color))
        assert plain.splitlines()[:2] == [
            "[bold red]x[/]  [dim]p",
            ("  [dim]p/a[/].yaml:1:1  error  SN001  no-import-value  "
            "uses [link=https://evil.example]here[/link] :smile:"),
        ]


def test_a_line_cannot_start_a_workflow_command_even_in_colour() -> None:
    odd = samples.finding("::add-mask::x", "::stop-commands::y", 1, 1, "SN001", "error", "##[error]z")
    result = LintResult(repos=(RepoResult("::add-mask::x", "."),), findings=(odd,))
    assert render(result).splitlines()[:2] == [
        ":\\:add-mask::x",
        "  :\\:stop-commands::y:1:1  error  SN001  no-import-value  ##\\[error]z",
    ]
    assert render(result, color=True).splitlines()[0] == "\x1b[1m:\\:add-mask::x\x1b[0m"
