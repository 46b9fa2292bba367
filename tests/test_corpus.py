"""Acceptance on real repos: the 218 SAM projects of the optional corpus (tests/corpus.py) all load and lint.

Most of them break svc's rules (they are not svc repos); that is the point. What must hold:
no crash, no internal-error exit, every repo listed, and every unparseable template reported as
SVC002 with the parser's line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svc_serverless.cli import main
from tests.corpus import CORPUS, needs_corpus

UNPARSEABLE = [
    ("apigw-ec2", "template.yaml", 80, "duplicate key 'eu-west-3' (first defined on line 64)"),
    ("cloudfront-apigw-http-api-lambda-rust", "template.yml", 74, "duplicate key 'Name' (first defined on line 70)"),
    ("cloudfront-lambda-url-rust", "template.yml", 45, "duplicate key 'Name' (first defined on line 41)"),
    ("cognito-sns-sms-origination-id-sam", "template.yaml", 65, "duplicate key 'MfaConfiguration' (first defined on line 64)"),
    ("sam-webapp-cognito", "template.yaml", 29, "duplicate key 'Name' (first defined on line 25)"),
]

pytestmark = needs_corpus


def test_every_corpus_repo_loads_and_lints_without_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", str(CORPUS), "--no-cache", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # findings, not breakage
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert len(folders) == 218
    assert sorted(r["name"] for r in report["repos"] if r["error"] is None) == sorted(
        r["name"] for r in report["repos"]
    )
    assert sorted(Path(r["path"]).name for r in report["repos"]) == folders
    assert report["summary"]["crashes"] == 0
    assert [f for f in report["findings"] if f["rule"] == "SVC001"] == []
    unparseable = sorted(
        (Path(r["path"]).name, f["file"], f["line"], f["message"].removeprefix("template cannot be parsed: "))
        for r in report["repos"] for f in report["findings"]
        if f["rule"] == "SVC002" and f["repo"] == r["name"]
    )
    assert unparseable == UNPARSEABLE
