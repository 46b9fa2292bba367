"""The Markdown report for step summaries and pull-request comments."""

from __future__ import annotations

import pytest

from svc_serverless.linter.report.markdown import escape, message_cell, render, table_code
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report import samples

DOCS = "https://github.com/svc-dev/svc/blob/main/docs/rules.md"
HEADER = [
    "| Errors | Warnings | Info | Suppressed | Crashes | Repos | Could not be read |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]


def test_empty_run() -> None:
    assert render(samples.empty()).splitlines() == [
        "## svc lint",
        "",
        "**Passed**: no findings at or above `error`.",
        "",
        *HEADER,
        "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    ]


def test_mixed_run() -> None:
    assert render(samples.mixed()).splitlines() == [
        "## svc lint",
        "",
        "**Failed**: 2 findings at or above `warning`; 1 repo could not be read.",
        "",
        *HEADER,
        "| 1 | 1 | 1 | 2 | 0 | 4 | 1 |",
        "",
        "### orders",
        "",
        "services/orders",
        "",
        "| Severity | Rule | Location | Message |",
        "| --- | --- | --- | --- |",
        (f"| info | [LAY002]({DOCS}#lay002) one-manifest | `functions/api/requirements.txt` | "
         "functions/api has two dependency manifests |"),
        (f"| error | [SN001]({DOCS}#sn001) no-import-value | `template.yaml:12:7` | "
         "Fn::ImportValue payments-TableName reads another stack's output |"),
        "",
        "### payments",
        "",
        "services/payments",
        "",
        "| Severity | Rule | Location | Message |",
        "| --- | --- | --- | --- |",
        (f"| warning | [LAY001]({DOCS}#lay001) function-dir-unused | `functions/refund` | "
         "functions/refund is not referenced by template.yaml |"),
        "",
        "### Could not be read",
        "",
        f"- **legacy** (services/legacy): {samples.UNREADABLE}",
        "",
        "1 repo clean.",
    ]


def test_special_characters_cannot_break_the_table_or_inject_html() -> None:
    assert render(samples.special()).splitlines()[-1] == (
        f"| error | [SN001]({DOCS}#sn001) no-import-value | `functions/a,b:c.yaml:3:5` | "
        "a \\| b, 100%: &lt;tag&gt; &amp; café ☕<br>second line \\\\x1b\\[31m |"
    )


def test_fail_on_never_always_passes() -> None:
    base = samples.mixed()
    result = LintResult(repos=base.repos, findings=base.findings, fail_on="never")
    assert render(result).splitlines()[2] == "**Passed**: `--fail-on never`."


def test_extra_sections_come_before_the_closing_line() -> None:
    graph = "### Service graph\n\n```mermaid\ngraph LR\n```\n"
    text = render(samples.mixed(), extra_sections=[graph])
    assert text.endswith(
        "### Service graph\n\n```mermaid\ngraph LR\n```\n\n1 repo clean.\n"
    )


def test_escape() -> None:
    assert escape("*a* _b_ `c` [d](e) ~f~ \\ <i>&\r\nx") == (
        "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\~f\\~ \\\\ &lt;i&gt;&amp;<br>x"
    )


def test_table_code_escapes_pipes_and_outgrows_backticks() -> None:
    assert table_code("a|b") == "`a\\|b`"
    assert table_code("a`b") == "``a`b``"
    assert table_code("`x`") == "`` `x` ``"


def test_an_unreadable_repo_alone_fails_as_the_exit_code_does() -> None:
    base = samples.mixed()
    result = LintResult(repos=base.repos, findings=(), fail_on="error")
    assert render(result).splitlines()[2] == "**Failed**: 1 repo could not be read."


def test_message_code_spans_stay_code_and_the_rest_is_escaped() -> None:
    assert message_cell("opt out with `ignore: [LAY007] | *x*` in a_b, or ` alone") == (
        "opt out with `ignore: [LAY007] \\| *x*` in a\\_b, or \\` alone"
    )


def test_the_path_is_left_out_when_it_says_nothing_more_than_the_name() -> None:
    finding = samples.finding("orders", "template.yaml", 1, 1, "SN001", "error", "m")
    for path in (".", "orders"):
        result = LintResult(repos=(RepoResult("orders", path),), findings=(finding,))
        assert render(result).splitlines()[8:11] == [
            "### orders", "", "| Severity | Rule | Location | Message |",
        ]


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. first", "1\\. first"),
        ("2) second", "2\\) second"),
        ("---", "\\---"),
        ("# title", "\\# title"),
        ("> quote", "&gt; quote"),
        ("    code", "&#32;&#32;&#32;&#32;code"),
        ("::add-mask::x", ":\\:add-mask::x"),  # a Markdown escape: the page shows `::`
        ("[x](https://evil.example) ![i](https://evil.example/i.png) <img src=x>",
         "\\[x\\](https://evil.example) !\\[i\\](https://evil.example/i.png) &lt;img src=x&gt;"),
    ],
)
def test_a_repo_path_on_its_own_line_is_plain_text(path: str, shown: str) -> None:
    finding = samples.finding("orders", "template.yaml", 1, 1, "SN001", "error", "m")
    result = LintResult(repos=(RepoResult("orders", path),), findings=(finding,))
    assert render(result).splitlines()[10] == shown


def _many(repos: int, per_repo: int) -> LintResult:
    findings = tuple(
        samples.finding(f"repo-{r:03}", f"functions/f{i}/app.py", i + 1, 1, "SN008", "error",
                        "imports `shared.db` from outside its own folder: " + "x" * 120)
        for r in range(repos) for i in range(per_repo)
    )
    return LintResult(repos=tuple(RepoResult(f"repo-{r:03}", f"org/repo-{r:03}") for r in range(repos)),
                      findings=findings)


def test_a_report_too_long_for_a_comment_cuts_findings_rows_and_says_so() -> None:
    from svc_serverless.linter.report.markdown import MAX_CHARS

    result = _many(40, 30)  # 1,200 findings: about 300,000 characters in full
    text = render(result)
    assert len(text) <= MAX_CHARS
    lines = text.splitlines()
    assert lines[:7] == ["## svc lint", "", "**Failed**: 1200 findings at or above `error`.", "",
                         *HEADER, "| 1200 | 0 | 0 | 0 | 0 | 40 | 0 |"]
    listed = sum(1 for line in lines if line.startswith("| error |"))
    assert 0 < listed < 1200
    assert lines[-1] == (f"**{1200 - listed} findings of 1200 not listed** to fit a pull-request "
                         "comment (65,000 characters): `svc lint --format html` or `--format "
                         "json` lists every finding.")
    # Rows are listed in report order: the first repos whole, then part of one.
    assert lines[8] == "### repo-000"


def test_a_report_that_fits_is_not_cut() -> None:
    text = render(_many(2, 3))
    assert "not listed" not in text
    assert sum(1 for line in text.splitlines() if line.startswith("| error |")) == 6
