"""The versioned JSON report and its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from svc_serverless import __version__
from svc_serverless.linter.report.json_report import render
from svc_serverless.linter.result import LintResult
from tests.report import samples

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "svc_serverless" / "linter" / "schemas" / "report.schema.json"


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(_schema())


@pytest.mark.parametrize("build", [samples.empty, samples.mixed, samples.special])
def test_reports_validate_against_the_schema(build: Any) -> None:
    result: LintResult = build()
    jsonschema.Draft202012Validator(_schema()).validate(json.loads(render(result)))


def test_the_schema_rejects_a_report_of_another_version() -> None:
    report = json.loads(render(samples.empty()))
    report["version"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema()).validate(report)


def test_empty_run() -> None:
    assert json.loads(render(samples.empty())) == {
        "version": 2,
        "tool": {"name": "svc", "version": __version__},
        "findings": [],
        "repos": [],
        "summary": {"error": 0, "warning": 0, "info": 0, "suppressed": 0, "crashes": 0,
                    "repos": 0, "unreadable": 0, "failing": 0, "fail_on": "error"},
    }


def test_mixed_run_lists_suppressed_findings_marked_and_counts_without_them() -> None:
    report = json.loads(render(samples.mixed()))
    assert [(f["repo"], f["rule"], f["line"], f["suppressed"]) for f in report["findings"]] == [
        ("orders", "LAY002", 0, False),
        ("orders", "SN001", 12, False),
        ("orders", "KMS001", 30, True),
        ("payments", "LAY001", 0, False),
        ("payments", "KMS001", 8, True),
    ]
    assert report["findings"][2] == {
        "rule": "KMS001",
        "name": "own-key",
        "severity": "error",
        "repo": "orders",
        "file": "template.yaml",
        "line": 30,
        "column": 9,
        "message": "table uses a key of another stack",
        "fingerprint": "fp-orders-KMS001-30",
        "path": "Resources/Table/Properties/SSESpecification",
        "suppressed": True,
        "suppression": {"reason": "moving to our own key", "expires": "2026-12-31",
                        "source": "metadata"},
    }
    assert report["findings"][3]["suppression"] is None
    assert report["repos"] == [
        {"name": "orders", "path": "services/orders", "error": None, "findings": 2,
         "suppressed": 1, "crashes": 0},
        {"name": "payments", "path": "services/payments", "error": None, "findings": 1,
         "suppressed": 1, "crashes": 0},
        {"name": "legacy", "path": "services/legacy", "error": samples.UNREADABLE, "findings": 0,
         "suppressed": 0, "crashes": 0},
        {"name": "users", "path": "services/users", "error": None, "findings": 0,
         "suppressed": 0, "crashes": 0},
    ]
    assert report["summary"] == {
        "error": 1, "warning": 1, "info": 1, "suppressed": 2, "crashes": 0,
        "repos": 4, "unreadable": 1, "failing": 2, "fail_on": "warning",
    }


def test_special_characters_round_trip_and_non_ascii_stays_readable() -> None:
    text = render(samples.special())
    assert json.loads(text)["findings"][0]["message"] == samples.SPECIAL_MESSAGE
    # Non-ASCII stays readable; control characters are escaped; one finding per line.
    assert '"message": "a | b, 100%: <tag> & café ☕\\nsecond line \\u001b[31m", ' in text.splitlines()[4]
