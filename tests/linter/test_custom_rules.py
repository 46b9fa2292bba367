"""An organisation's own rules in JSON Schema: where findings point, what a rule file may not do,
`svc rules test`, and that custom findings flow like built-in ones (pool, SARIF, suppressions)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from svc_serverless.cli import main

DOC = "    Summary.\n\n    ## What it does\n    x\n\n    ## Why is this bad?\n    y\n"
PITR = """\
- code: ACME001
  name: table-pitr
  applies-to: {resource-types: ["AWS::DynamoDB::Table"]}
  require:
    required: [Properties]
    properties:
      Properties:
        required: [PointInTimeRecoverySpecification]
  message: "table {resource} has no point-in-time recovery"
  doc: |
""" + DOC + """\
  examples:
    fail:
      - Type: AWS::DynamoDB::Table
"""
JSON_LOGS = """\
- code: ACME002
  name: json-logs
  applies-to: {resource-types: ["AWS::Serverless::Function"]}
  require:
    properties:
      Properties:
        properties:
          LoggingConfig:
            properties:
              LogFormat: {const: JSON}
  message: "{resource} logs {value}"
  doc: |
""" + DOC
LAYERS = """\
- code: ACME003
  name: own-layers
  applies-to: {resource-types: ["AWS::Serverless::Function"]}
  require:
    properties:
      Properties:
        properties:
          Layers:
            items: {not: {type: string, pattern: "^arn:"}}
  message: "{resource} uses layer {value}"
  doc: |
""" + DOC
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    LoggingConfig:
      LogFormat: Text
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Layers:
        - !Ref OwnLayer
        - arn:aws:lambda:eu-west-1:017000801446:layer:Powertools:5
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def policy(tmp_path: Path, rules: str, extra: str = "") -> Path:
    write(tmp_path, {"policies/rules.yaml": rules,
                     "org.yaml": f"version: 1\nrules: [policies/]\n{extra}"})
    return tmp_path / "org.yaml"


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[Any, ...]], str]:
    code = main(["lint", "--no-cache", "-f", "json", *args])
    out, err = capsys.readouterr()
    findings = json.loads(out)["findings"] if out else []
    rows = [(f["repo"], f["rule"], f["file"], f["line"], f["column"], f["message"])
            for f in findings if not f["suppressed"]]
    return code, rows, err


def custom(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [r for r in rows if r[1].startswith("ACME")]


# 1. Where a finding points ---------------------------------------------------------------


def test_findings_point_at_the_missing_key_the_globals_value_and_the_list_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, PITR + JSON_LOGS + LAYERS)
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE})
    code, rows, err = lint(capsys, str(repo), "--config", str(config))
    assert (code, err) == (1, "")
    assert custom(rows) == [
        # the property lives in Globals: its value there
        ("billing", "ACME002", "template.yaml", 5, 18, "Fn logs Text"),
        # a missing property: the key of the mapping that lacks it
        ("billing", "ACME001", "template.yaml", 9, 5, "table Table has no point-in-time recovery"),
        # a nested list item: the item itself
        ("billing", "ACME003", "template.yaml", 17, 11,
         "Fn uses layer arn:aws:lambda:eu-west-1:017000801446:layer:Powertools:5"),
    ]


def test_a_local_value_overrides_globals_and_is_reported_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, JSON_LOGS)
    local = TEMPLATE.replace("      Handler: app.handler\n",
                             "      Handler: app.handler\n      LoggingConfig: {LogFormat: Plain}\n")
    repo = write(tmp_path / "billing", {"template.yaml": local})
    _, rows, _ = lint(capsys, str(repo), "--config", str(config))
    assert custom(rows) == [("billing", "ACME002", "template.yaml", 15, 34, "Fn logs Plain")]


def test_a_resource_without_properties_is_reported_at_its_logical_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, PITR)
    repo = write(tmp_path / "billing", {"template.yaml": "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n"})
    _, rows, _ = lint(capsys, str(repo), "--config", str(config))
    assert custom(rows) == [("billing", "ACME001", "template.yaml", 2, 3,
                             "table T has no point-in-time recovery")]


FORBID_MANIFEST = """\
- code: ACME010
  name: retired-system
  applies-to: manifest
  forbid:
    required: [spec]
    properties:
      spec:
        required: [system]
        properties: {system: {const: mainframe}}
  message: "retired system at {path}"
  doc: |
""" + DOC + """\
- code: ACME011
  name: has-description
  applies-to: template
  require: {required: [Description]}
  message: "no {path}"
  doc: |
""" + DOC + """\
- code: ACME012
  name: known-owner
  applies-to: facts
  require: {properties: {owner: {enum: [team-a]}}}
  message: "{service} owned by {value}"
  doc: |
""" + DOC
MANIFEST = "metadata:\n  name: billing\nspec:\n  owner: team-b\n  system: mainframe\n"


def test_manifest_template_and_facts_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, FORBID_MANIFEST)
    repo = write(tmp_path / "billing", {"template.yaml": "Resources: {}\n",
                                        "catalog-info.yaml": MANIFEST})
    _, rows, _ = lint(capsys, str(repo), "--config", str(config))
    assert custom(rows) == [
        ("billing", "ACME012", "catalog-info.yaml", 2, 9, "billing owned by team-b"),
        ("billing", "ACME010", "catalog-info.yaml", 5, 11, "retired system at spec/system"),
        ("billing", "ACME011", "template.yaml", 1, 1, "no Description"),
    ]


# 2. Custom findings are ordinary findings ----------------------------------------------------


def test_custom_findings_are_suppressed_selected_and_made_mandatory_like_built_ins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, PITR)
    suppressed = TEMPLATE.replace(
        "    Type: AWS::DynamoDB::Table\n",
        "    Type: AWS::DynamoDB::Table\n    Metadata:\n      svc:\n        ignore:\n"
        "          - {rule: ACME001, reason: restored from backups nightly}\n", 1)
    repo = write(tmp_path / "billing", {"template.yaml": suppressed})
    assert custom(lint(capsys, str(repo), "--config", str(config))[1]) == []
    assert custom(lint(capsys, str(repo), "--config", str(config), "--ignore", "ACME")[1]) == []
    mandatory = policy(tmp_path / "m", PITR, "mandatory: [ACME001]\n")
    _, rows, _ = lint(capsys, str(repo), "--config", str(mandatory))
    assert [r[1:4] for r in rows if r[1] in ("ACME001", "SVC003")] == [
        ("SVC003", "template.yaml", 12), ("ACME001", "template.yaml", 13)]


def test_custom_rules_reach_the_worker_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, PITR)
    for name in ("a-svc", "b-svc", "c-svc", "d-svc", "e-svc"):
        write(tmp_path / "org" / name, {"template.yaml": TEMPLATE})
    _, rows, _ = lint(capsys, str(tmp_path / "org"), "--config", str(config), "-j", "2")
    assert [r[:2] for r in custom(rows)] == [
        (name, "ACME001") for name in ("a-svc", "b-svc", "c-svc", "d-svc", "e-svc")]


def test_sarif_carries_the_custom_rule_page_and_svc_rules_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, PITR)
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE})
    main(["lint", str(repo), "--no-cache", "-f", "sarif", "--config", str(config)])
    sarif = json.loads(capsys.readouterr().out)
    rule = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ACME001")
    assert rule["shortDescription"]["text"] == "Summary."
    assert "## Example\n```yaml\nType: AWS::DynamoDB::Table\n```" in rule["help"]["markdown"]
    assert main(["rules", "ACME001", "--config", str(config)]) == 0
    page = capsys.readouterr().out
    assert page.startswith("ACME001 table-pitr (default severity: error; tags: custom)\n\nSummary.\n")
    assert page.endswith(f"Defined in `{tmp_path}/policies/rules.yaml` (line 1).\n")


def test_a_repo_policy_adds_its_own_rules_but_no_facts_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "billing", {
        "template.yaml": TEMPLATE,
        ".svc/policy.yaml": "version: 1\nrules: [rules/]\n",
        ".svc/rules/tables.yaml": PITR,
    })
    _, rows, _ = lint(capsys, str(repo))
    assert [r[1:4] for r in custom(rows)] == [("ACME001", "template.yaml", 9)]
    write(repo, {".svc/rules/org.yaml": FORBID_MANIFEST})
    _, rows, _ = lint(capsys, str(repo))
    assert [r[1:6] for r in rows if r[1] == "SVC005"] == [(
        "SVC005", ".svc/policy.yaml", 0, 0,
        (".svc/rules/org.yaml:32: rule ACME012 applies to facts: facts rules are organisation "
        "checks, put it in the organisation policy's rules"))]
    assert custom(rows) == []


def test_a_repo_rules_path_outside_the_repo_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"outside/rules.yaml": PITR})
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE,
                                        ".svc/policy.yaml": "version: 1\nrules: [../../outside]\n"})
    _, rows, _ = lint(capsys, str(repo))
    assert [r[5] for r in rows if r[1] == "SVC005"] == [
        (".svc/policy.yaml: rules entry '../../outside' is outside the repo: give a path inside "
        "it, relative to .svc/")]


# 3. Rule files svc refuses, before any repo is linted ---------------------------------------


@pytest.mark.parametrize(("rules", "error"), [
    (PITR.replace("ACME001", "SN100"),
     ("policies/rules.yaml:1: rule code SN100 collides with svc's built-in rules (SN*): give your "
     "organisation's rules a prefix of their own, e.g. ACME001")),
    (PITR.replace("ACME001", "S001"),
     ("policies/rules.yaml:1: rule code S001 collides with svc's built-in rules (SN*): give your "
     "organisation's rules a prefix of their own, e.g. ACME001")),
    (PITR.replace("ACME001", "SVCX001"),
     ("policies/rules.yaml:1: rule code SVCX001 collides with svc's built-in rules (SVC*): give "
     "your organisation's rules a prefix of their own, e.g. ACME001")),
    (PITR.replace("{resource-types: [\"AWS::DynamoDB::Table\"]}", "lambda"),
     ("policies/rules.yaml:3: unknown target 'lambda' for applies-to: use template, manifest, "
     "facts or {resource-types: [AWS::DynamoDB::Table, ...]}")),
    (PITR.replace("required: [Properties]", "$ref: https://example.com/s.json"),
     ("policies/rules.yaml:5: require of rule ACME001: $ref 'https://example.com/s.json' points "
     "outside the rule: a rule schema may refer only to its own parts ('#/$defs/NAME'), never to "
     "a file or URL")),
    (PITR.replace("required: [Properties]", "patternProperties: {'^a': {}}"),
     ("policies/rules.yaml:5: require of rule ACME001: patternProperties is not supported in a "
     "rule schema (its keys are matched without a time limit): use propertyNames: {pattern: ...}")),
    (PITR.replace("{resource} has", "{resource.__class__} has"),
     ("policies/rules.yaml:9: message of rule ACME001 has unknown placeholder "
     "{resource.__class__}: use {resource}, {type}, {path}, {value}, {error}, {repo}, {service}")),
    (PITR + PITR.replace("table-pitr", "other"),
     ("policies/rules.yaml:21: rule code ACME001 is already used by policies/rules.yaml:1: give "
     "each rule its own code and name")),
    (PITR.replace("name: table-pitr", "name: no-export"),
     ("policies/rules.yaml:1: rule name no-export is already used by svc's built-in rule SN002: "
     "give each rule its own code and name")),
])
def test_an_invalid_rule_file_is_a_one_line_error_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    rules: str, error: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/rules.yaml": rules, "org.yaml": "version: 1\nrules: [policies/]\n",
                     "billing/template.yaml": TEMPLATE})
    assert main(["lint", "billing", "--config", "org.yaml"]) == 2
    assert capsys.readouterr() == ("", f"svc: error: {error}\n")
    assert main(["rules", "test", "policies"]) == 2
    assert capsys.readouterr() == ("", f"svc: error: {error}\n")


def test_a_schema_that_is_not_json_schema_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"rules.yaml": PITR.replace("required: [Properties]", "type: 12")})
    assert main(["rules", "test", "rules.yaml"]) == 2
    assert capsys.readouterr().err.startswith(
        "svc: error: rules.yaml:5: require of rule ACME001: not a valid JSON Schema: ")


def test_a_catastrophic_pattern_stops_that_rule_on_that_repo_within_its_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    redos = PITR.replace("required: [Properties]", "required: [Properties]\n    allOf: [{properties: "
                         "{Properties: {properties: {TableName: {pattern: '^(a|aa)+$'}}}}}]")
    config = policy(tmp_path, redos)
    hostile = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n" \
              f"      TableName: {'a' * 60}!\n      PointInTimeRecoverySpecification: {{}}\n"
    write(tmp_path / "org" / "hostile", {"template.yaml": hostile})
    write(tmp_path / "org" / "fine", {"template.yaml": TEMPLATE})
    started = time.perf_counter()
    code, rows, _ = lint(capsys, str(tmp_path / "org"), "--config", str(config))
    assert time.perf_counter() - started < 10
    assert code == 1
    crash = [r for r in rows if r[1] == "SVC001"]
    assert [r[:4] for r in crash] == [("hostile", "SVC001", "template.yaml", 0)]
    assert crash[0][5].startswith(
        "rule ACME001 (table-pitr) crashed on this repo: PatternTimeout: pattern '^(a|aa)+$' took "
        "over 0.25 s on a 61-character value: simplify it")
    assert [r[:2] for r in custom(rows)] == [("fine", "ACME001")]


# 4. svc rules test ----------------------------------------------------------------------------


def test_rules_test_reports_each_example_and_fails_a_rule_without_a_fail_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    wrong_pass = PITR + "    pass:\n      - Type: AWS::DynamoDB::Table\n"
    write(tmp_path, {"p/tables.yaml": wrong_pass, "p/logs.yaml": JSON_LOGS,
                     "p/tables.tests.yaml": "- rule: ACME001\n  pass:\n"
                     "    - Type: AWS::DynamoDB::Table\n      Properties:\n"
                     "        PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}\n"})
    assert main(["rules", "test", "p"]) == 1
    assert capsys.readouterr().out == (
        "FAIL ACME002 (p/logs.yaml:1): no fail example: add one under examples.fail, so the rule "
        "is shown to report what it is for\n"
        "FAIL ACME001 pass[0] (p/tables.yaml:22): expected no finding, got 1: line 22: table "
        "Example has no point-in-time recovery\n"
        "PASS ACME001 fail[0] (p/tables.yaml:20)\n"
        "PASS ACME001 pass[0] (p/tables.tests.yaml:3)\n"
        "2 rules, 2 checks passed, 2 failed\n"
    )


def test_rules_test_without_files_tests_the_policy_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = policy(tmp_path, PITR)
    assert main(["rules", "test", "--config", str(config)]) == 0
    assert capsys.readouterr().out.endswith("1 rules, 1 checks passed, 0 failed\n")
    assert main(["rules", "test"]) == 2
    assert capsys.readouterr().err == (
        "svc: error: give rule files or folders to test (e.g. `svc rules test policies/`), or "
        "--config POLICY to test the rules it lists\n")


def test_custom_findings_are_accepted_by_a_baseline_and_listed_by_svc_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = policy(tmp_path, PITR)
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE})
    baseline = tmp_path / "baseline.json"
    assert main(["lint", str(repo), "--no-cache", "--config", str(config),
                 "--write-baseline", str(baseline)]) == 0
    capsys.readouterr()
    _, rows, _ = lint(capsys, str(repo), "--config", str(config), "--baseline", str(baseline))
    assert custom(rows) == []
    assert main(["rules", "--config", str(config)]) == 0
    listed = [line.split()[:3] for line in capsys.readouterr().out.splitlines()]
    assert ["ACME001", "table-pitr", "error"] in listed
