"""The bundled example organisation (the README's main command) gives exactly these findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svc_serverless.cli import main

PROJECT = Path(__file__).resolve().parents[1]

EXPECTED = [
    ('billing', 'catalog-info.yaml', 33, 11, 'ORG004'),
    ('billing', 'catalog-info.yaml', 35, 11, 'ORG004'),
    ('billing', 'catalog-info.yaml', 39, 11, 'ORG005'),
    ('orders', 'catalog-info.yaml', 33, 11, 'ORG004'),
    ('orders', 'catalog-info.yaml', 35, 11, 'ORG004'),
    ('payments', 'catalog-info.yaml', 6, 9, 'ORG001'),
    ('payments', 'catalog-info.yaml', 33, 11, 'ORG004'),
    ('payments', 'catalog-info.yaml', 35, 11, 'ORG004'),
    ('payments-v2', 'catalog-info.yaml', 6, 9, 'ORG001'),
    ('payments-v2', 'catalog-info.yaml', 33, 11, 'ORG004'),
    ('payments-v2', 'catalog-info.yaml', 35, 11, 'ORG004'),
    ('shipping', 'catalog-info.yaml', 33, 11, 'ORG004'),
    ('shipping', 'catalog-info.yaml', 35, 11, 'ORG004'),
    ('shipping', 'catalog-info.yaml', 41, 11, 'ORG003'),
    ('shipping', 'template.yaml', 42, 28, 'SN003'),
    ('shipping', 'template.yaml', 43, 26, 'ORG006'),
    ('shipping', 'template.yaml', 43, 26, 'SN004'),
    ('shipping', 'template.yaml', 370, 24, 'ORG003'),
]


def lint(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["lint", *paths, "--no-cache", "-f", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_example_org_findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    code, report = lint(capsys, "examples/org")
    assert code == 1
    assert [(f["repo"], f["file"], f["line"], f["column"], f["rule"]) for f in report["findings"]] == EXPECTED
    assert [(r["name"], r["path"]) for r in report["repos"]] == [
        (name, f"examples/org/{name}") for name in ("billing", "orders", "payments", "payments-v2", "shipping")
    ]
    cycle = next(f for f in report["findings"] if f["rule"] == "ORG005")
    assert cycle["message"] == (
        "services form a cycle: billing -> orders -> billing (billing consumes orders's "
        "orders/OrderCreated; orders consumes billing's billing/InvoiceCreated): make the dependencies point one way"
    )


@pytest.mark.parametrize("name", ["billing", "orders", "payments", "payments-v2"])
def test_each_example_repo_alone_passes_its_own_gate(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(PROJECT)
    code, report = lint(capsys, f"examples/org/{name}")
    assert (code, report["findings"]) == (0, [])
