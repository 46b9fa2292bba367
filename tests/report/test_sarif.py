"""SARIF 2.1.0, validated against the official schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from svc_serverless import __version__
from svc_serverless.linter.report.sarif import render
from svc_serverless.linter.result import LintResult, RepoResult
from svc_serverless.rules import find_rule
from tests.report import samples

PROJECT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = PROJECT / "tests" / "vendor" / "sarif-schema-2.1.0.json"


def _log(result: LintResult) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(result))
    return log


def _run(result: LintResult) -> dict[str, Any]:
    run: dict[str, Any] = _log(result)["runs"][0]
    return run


@pytest.mark.parametrize("build", [samples.empty, samples.mixed, samples.special])
def test_output_validates_against_the_sarif_schema(build: Any) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    validator.validate(_log(build()))


def test_one_run_with_the_tool_and_every_rule_of_the_run() -> None:
    log = _log(samples.mixed())
    oasis = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas"
    assert (log["$schema"], log["version"], len(log["runs"])) == (
        f"{oasis}/sarif-schema-2.1.0.json", "2.1.0", 1,
    )
    driver = log["runs"][0]["tool"]["driver"]
    assert {k: v for k, v in driver.items() if k != "rules"} == {
        "name": "svc",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": "https://github.com/svc-dev/svc",
    }
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in driver["rules"]] == [
        ("SN001", "error"), ("KMS001", "error"), ("LAY001", "warning"), ("LAY002", "note"),
    ]


def test_a_rule_carries_its_page() -> None:
    assert _run(samples.mixed())["tool"]["driver"]["rules"][0] == {
        "id": "SN001",
        "name": "no-import-value",
        "shortDescription": {"text": "Do not import another stack's outputs."},
        "fullDescription": {"text": "Reports every `Fn::ImportValue`."},
        "help": {"text": samples.PAGE.strip(), "markdown": samples.PAGE.strip()},
        "helpUri": "https://github.com/svc-dev/svc/blob/main/docs/rules.md#sn001",
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["test"]},
    }


def test_results_have_relative_locations_fingerprints_and_suppressions() -> None:
    assert _run(samples.mixed())["results"] == [
        {
            "ruleId": "LAY002",
            "ruleIndex": 3,
            "level": "note",
            "message": {"text": "functions/api has two dependency manifests"},
            "locations": [{"physicalLocation": {"artifactLocation": {
                "uri": "services/orders/functions/api/requirements.txt", "uriBaseId": "%SRCROOT%",
            }}}],
            "partialFingerprints": {"svcFingerprint/v2": "fp-orders-LAY002-0"},
            "properties": {"repo": "orders"},
        },
        {
            "ruleId": "SN001",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "Fn::ImportValue payments-TableName reads another stack's output"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": "services/orders/template.yaml",
                                         "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 12, "startColumn": 7},
                },
                "logicalLocations": [{"name": "TABLE", "fullyQualifiedName": samples.SN001.path}],
            }],
            "partialFingerprints": {"svcFingerprint/v2": "fp-orders-SN001-12"},
            "properties": {"repo": "orders"},
        },
        {
            "ruleId": "KMS001",
            "ruleIndex": 1,
            "level": "error",
            "message": {"text": "table uses a key of another stack"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": "services/orders/template.yaml",
                                         "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 30, "startColumn": 9},
                },
                "logicalLocations": [{
                    "name": "SSESpecification",
                    "fullyQualifiedName": "Resources/Table/Properties/SSESpecification",
                }],
            }],
            "partialFingerprints": {"svcFingerprint/v2": "fp-orders-KMS001-30"},
            "properties": {"repo": "orders"},
            "suppressions": [{"kind": "inSource", "status": "accepted",
                              "justification": "moving to our own key",
                              "properties": {"expires": "2026-12-31"}}],
        },
        {
            "ruleId": "LAY001",
            "ruleIndex": 2,
            "level": "warning",
            "message": {"text": "functions/refund is not referenced by template.yaml"},
            "locations": [{"physicalLocation": {"artifactLocation": {
                "uri": "services/payments/functions/refund", "uriBaseId": "%SRCROOT%",
            }}}],
            "partialFingerprints": {"svcFingerprint/v2": "fp-payments-LAY001-0"},
            "properties": {"repo": "payments"},
        },
        {
            "ruleId": "KMS001",
            "ruleIndex": 1,
            "level": "error",
            "message": {"text": "queue has no KMS key"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "services/payments/template.yaml",
                                     "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 8},
            }}],
            "partialFingerprints": {"svcFingerprint/v2": "fp-payments-KMS001-8"},
            "properties": {"repo": "payments"},
            "suppressions": [{"kind": "external", "status": "accepted",
                              "justification": "in the baseline"}],
        },
    ]


def test_srcroot_is_described_without_an_absolute_uri() -> None:
    assert _run(samples.mixed())["originalUriBaseIds"] == {
        "%SRCROOT%": {"description": {
            "text": "The folder every path is relative to (in CI, the checkout).",
        }},
    }


def test_an_unreadable_repo_is_an_execution_notification() -> None:
    assert _run(samples.mixed())["invocations"] == [{
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"legacy: {samples.UNREADABLE}"}},
        ],
    }]


def test_a_crash_makes_the_execution_unsuccessful() -> None:
    result = LintResult(repos=(RepoResult("a", "a", crashes=1),), findings=())
    assert _run(result)["invocations"] == [
        {"executionSuccessful": False, "toolExecutionNotifications": []},
    ]


def test_paths_stay_relative_when_the_root_is_absolute() -> None:
    result = LintResult(
        repos=(RepoResult("orders", "/ci/work/services/orders"),
               RepoResult("payments", "/home/ci/.cache/svc/clones/9c1e")),
        findings=(samples.SN001, samples.LAY001),
        root="/ci/work",
        rules=samples.RULES,
    )
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in _run(result)["results"]]
    assert uris == ["services/orders/template.yaml", "payments/functions/refund"]


def test_special_characters_in_paths_are_percent_encoded() -> None:
    result = _run(samples.special())["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "odd%20dir/functions/a%2Cb%3Ac.yaml"
    )
    assert result["message"] == {"text": samples.SPECIAL_MESSAGE}


def test_rules_missing_from_the_run_come_from_the_registry_or_the_finding() -> None:
    crashed = samples.finding("orders", "template.yaml", 1, 1, "SVC001", "error", "rule crashed")
    unknown = samples.finding("orders", "template.yaml", 2, 1, "ZZ999", "warning", "newer rule")
    result = LintResult(repos=(), findings=(crashed, unknown))
    run = _run(result)
    registered = find_rule("SVC001")
    assert registered is not None
    rules = run["tool"]["driver"]["rules"]
    assert [(r["id"], r["name"], r["shortDescription"]) for r in rules] == [
        ("SVC001", "rule-crashed", {"text": registered.doc.strip().splitlines()[0]}),
        ("ZZ999", "zz999", {"text": "zz999"}),
    ]
    assert run["tool"]["driver"]["rules"][1]["help"] == {"text": "zz999", "markdown": "zz999"}
    assert [r["ruleIndex"] for r in run["results"]] == [0, 1]
