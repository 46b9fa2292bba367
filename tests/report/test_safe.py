"""The neutralisers every reporter uses for text from repos: controls, workflow commands,
credentials."""

from __future__ import annotations

import json

import pytest

from svc_serverless.linter.report.safe import (
    JSON,
    MARKUP,
    escape_controls,
    log_line,
    neutralise_commands,
    redact_result,
    redact_url,
    safe_json,
    safe_markup,
)
from svc_serverless.linter.result import LintResult, RepoResult
from svc_serverless.linter.rule import Suppression
from tests.report import samples


def test_escape_controls_spells_out_control_characters_but_keeps_tabs_and_newlines() -> None:
    assert escape_controls("a\x1b[31m\x00\x9b\tb\r\nc") == "a\\x1b[31m\\x00\\x9b\tb\r\nc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # right-to-left override
        ("a\u2066b\u2069c\u200fd", "a\\u2066b\\u2069c\\u200fd"),  # isolates, RLM
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),  # line breaks to some viewers
        ("soft\xadhyphen", "soft\\xadhyphen"),
        ("file\udcff.yaml", "file\\udcff.yaml"),  # an undecodable byte in a file name
        ("tag\U000e0041", "tag\\U000e0041"),  # ASCII smuggled in tag characters
        ("café ☕ 日本 \u00e9", "café ☕ 日本 \u00e9"),  # visible text stays as it is
    ],
)
def test_escape_controls_spells_out_invisible_characters(text: str, expected: str) -> None:
    assert escape_controls(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::add-mask::x", ":\\:add-mask::x"),
        ("  \t::error::x", "  \t:\\:error::x"),  # GitHub trims leading whitespace
        ("\u00a0::error::x", "\u00a0:\\:error::x"),
        ("ok\n::add-mask::x\r::stop-commands::t\r\n  ::x", "ok\n:\\:add-mask::x\r:\\:stop-commands::t\r\n  :\\:x"),
        ("\x1b[1m::add-mask::x", "\x1b[1m:\\:add-mask::x"),  # behind a colour code
        ("Fn::ImportValue a::b", "Fn::ImportValue a::b"),  # not at a line start: harmless
        ("x ##[error]y ##vso[task.setvariable]z ##VSO[a]", "x ##\\[error]y ##vso\\[task.setvariable]z ##VSO\\[a]"),
        ("###[x] #[y] ## [z]", "###\\[x] #[y] ## [z]"),
    ],
)
def test_neutralise_commands(text: str, expected: str) -> None:
    assert neutralise_commands(text) == expected


def test_lossless_escapes_parse_back_to_the_text() -> None:
    text = "a\n::add-mask::x ##[error]y"
    assert neutralise_commands(text, MARKUP) == "a\n:&#58;add-mask::x ##&#91;error]y"
    serialised = json.dumps({"k": "##vso[task.setvariable]x"})
    assert neutralise_commands(serialised, JSON) == '{"k": "##vso\\u005btask.setvariable]x"}'
    assert json.loads(neutralise_commands(serialised, JSON)) == {"k": "##vso[task.setvariable]x"}


def test_line_starts_can_be_left_to_the_caller() -> None:
    assert neutralise_commands("::error ::##[x]", line_starts=False) == "::error ::##\\[x]"


def test_safe_json_escapes_what_json_dumps_leaves_raw_and_parses_back() -> None:
    value = "\x9b\u202e\U000e0041\udcff ##[error]x"
    text = safe_json(json.dumps([value], ensure_ascii=False))
    assert text == '["\\u009b\\u202e\\udb40\\udc41\\udcff ##\\u005berror]x"]'
    assert json.loads(text) == [value]


def test_safe_markup_writes_carriage_returns_and_commands_as_references() -> None:
    assert safe_markup("<a>x\r::add-mask::y ##[e]</a>") == "<a>x&#13;::add-mask::y ##&#91;e]</a>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://x-access-token:ghp_0123456789abcdefghij0123@github.com/acme/billing.git",
         "https://***@github.com/acme/billing.git"),
        ("https://user:pass@host.example/a.git", "https://***@host.example/a.git"),
        ("https://ghp_0123456789abcdefghij0123@github.com/a.git", "https://***@github.com/a.git"),
        ("ssh://git@github.com/acme/a.git", "ssh://***@github.com/acme/a.git"),
        ("https://a@b:c@host/x", "https://***@host/x"),  # the last @ ends the userinfo
        ("https://host/a.git?token=abc&ref=main", "https://host/a.git?token=***&ref=main"),
        ("https://gitlab.example/a.git?private_token=glpat-x&access_token=y",
         "https://gitlab.example/a.git?private_token=***&access_token=***"),
        ("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ab12",
         "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***"),
        ("https://host/a?sig=abc&password=p", "https://host/a?sig=***&password=***"),
        # git's own messages quote the URL; the text around it stays
        ("cannot clone file:///r/a.git?token=s3cr3t: fatal: '/r/a.git?token=s3cr3t' is not",
         "cannot clone file:///r/a.git?token=***: fatal: '/r/a.git?token=***' is not"),
        ("remote: token ghp_0123456789abcdefghij0123 was revoked", "remote: token *** was revoked"),
        ("glpat-0123456789abcdefghij github_pat_0123456789abcdefghij_x", "*** ***"),
        # nothing to redact
        ("git@github.com:acme/billing.git", "git@github.com:acme/billing.git"),
        ("https://github.com/acme/billing.git", "https://github.com/acme/billing.git"),
        ("owner team@example.com, key=value, Fn::ImportValue", "owner team@example.com, key=value, Fn::ImportValue"),
    ],
)
def test_redact_url(text: str, expected: str) -> None:
    assert redact_url(text) == expected
    assert redact_url(expected) == expected  # redacting twice changes nothing


def test_log_line_is_one_safe_line() -> None:
    assert log_line("bad 'https://u:hunter2@h/x'\n::add-mask::y \x1b[2J ##[error]z") == (
        "bad 'https://***@h/x'\\n::add-mask::y \\x1b[2J ##\\[error]z"
    )


def test_redact_result_redacts_every_printed_string() -> None:
    url = "https://u:hunter2@git.example/acme/billing.git"
    finding = samples.finding(
        "billing", "template.yaml", 1, 1, "SN001", "error", f"reads {url}", path=f"Res/{url}",
        suppression=Suppression(f"see {url}", "", "comment"),
    )
    result = LintResult(
        repos=(RepoResult(f"b {url}", url, findings=(finding,), error=f"cannot clone {url}"),),
        findings=(finding,),
    )
    clean = "https://***@git.example/acme/billing.git"
    redacted = redact_result(result)
    assert [(r.name, r.path, r.error) for r in redacted.repos] == [
        (f"b {clean}", clean, f"cannot clone {clean}"),
    ]
    (only,) = redacted.findings
    assert (only.message, only.path) == (f"reads {clean}", f"Res/{clean}")
    assert only.suppression == Suppression(f"see {clean}", "", "comment")
    assert redacted.repos[0].findings == (only,)
    assert "hunter2" not in repr(redacted)


def test_redact_result_returns_a_clean_result_itself() -> None:
    result = samples.mixed()
    assert redact_result(result) is result
