"""The shipped example policies: their examples pass, and the README's second command gives
exactly these findings (the example organisation under ACME's own rules, options and waiver)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svc_serverless.cli import main
from tests.test_example_org import EXPECTED

PROJECT = Path(__file__).resolve().parents[1]


def test_the_example_rules_pass_their_own_tests(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    assert main(["rules", "test", "examples/policies"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("10 rules, 29 checks passed, 0 failed\n")
    assert "FAIL" not in out


def test_example_org_under_the_example_policy(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    code = main(["lint", "examples/org", "--config", "examples/policy.yaml", "--no-cache",
                 "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    found = [(f["repo"], f["file"], f["line"], f["column"], f["rule"], f["suppressed"])
             for f in report["findings"]]
    waived = [("orders", "catalog-info.yaml", 33, 11, "ORG004", True),
              ("orders", "catalog-info.yaml", 35, 11, "ORG004", True)]
    added = [("shipping", "catalog-info.yaml", 6, 9, "ACME009", False),
             ("shipping", "template.yaml", 42, 28, "ACME006", False)]
    expected = [(*row, False) for row in EXPECTED if row[0] != "orders" or row[4] != "ORG004"]
    assert found == sorted(expected + waived + added, key=lambda r: (r[0], r[1], r[2], r[3], r[4]))
