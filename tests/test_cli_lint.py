"""`svc lint` as users meet it: exit codes, --fail-on, outputs, baseline, policy errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from svc_serverless.cli import main
from svc_serverless.linter import run as lint_run

PROJECT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = PROJECT / "tests" / "vendor" / "sarif-schema-2.1.0.json"

DUPLICATE = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Type: AWS::SNS::Topic\n"
IMPORT = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue other-Queue\n"


def repo(tmp_path: Path, name: str, template: str) -> Path:
    root = tmp_path / name
    root.mkdir(parents=True)
    (root / "template.yaml").write_text(template, encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_when_nothing_reaches_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "ok", "Resources: {}\n")
    code, out, err = run(capsys, str(root), "--select", "SVC")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "0 errors, 0 warnings, 0 info in 1 repo"


def test_exit_1_on_findings_and_fail_on_moves_the_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "broken", DUPLICATE)
    code, out, _ = run(capsys, str(root), "--select", "SVC")
    assert code == 1
    assert "template.yaml:4:5  error  SVC002  template-unparseable  template cannot be parsed: duplicate key 'Type' (first defined on line 3)" in out
    assert run(capsys, str(root), "--select", "SVC", "--fail-on", "never")[0] == 0
    # (An engine rule such as SVC002 cannot be lowered: tests/linter/test_engine_integrity.py.)
    root = repo(tmp_path, "imports", IMPORT)
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nseverity: {SN001: warning}\n", encoding="utf-8")
    assert run(capsys, str(root), "--select", "SN001")[0] == 1
    assert run(capsys, str(root), "--select", "SN001", "--config", str(policy))[0] == 0
    assert run(capsys, str(root), "--select", "SN001", "--config", str(policy), "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "svc: error: argument --format/-f: invalid choice: 'xml'"),
        (["--config", "missing.yaml"], "svc: error: policy file missing.yaml does not exist: check the --config path"),
        (["--baseline", "missing.json"], "svc: error: cannot read baseline missing.json: No such file or directory; create one with --write-baseline"),
    ],
)
def test_exit_2_on_usage_and_configuration_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    root = repo(tmp_path, "ok", "Resources: {}\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, str(root), *args)
    assert code == 2
    assert err.splitlines()[0].startswith(message)
    assert len(err.splitlines()) == 1


def test_exit_2_for_an_invalid_policy_and_for_a_path_with_no_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, "ok", "Resources: {}\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nselect: SN\n", encoding="utf-8")
    code, _, err = run(capsys, str(root), "--config", str(policy))
    assert (code, err) == (2, (f"svc: error: {policy}: invalid policy at select: 'SN' is not of type "
                               "'array'; see `svc lint --help` for the policy format\n"))
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, str(empty))
    assert (code, err) == (2, f"svc: error: no service repo in {empty}: a repo has template.yaml at its root\n")


def test_exit_3_on_an_internal_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lint_run, "org_findings", boom)
    root = repo(tmp_path, "ok", "Resources: {}\n")
    code, _, err = run(capsys, str(root))
    assert code == 3
    assert err.splitlines()[-1] == "svc: internal error: RuntimeError: disk on fire (please report this)"


def test_one_bad_repo_never_stops_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(tmp_path / "org", "a", DUPLICATE)
    repo(tmp_path / "org", "b", "Resources: {}\n")
    code, out, _ = run(capsys, str(tmp_path / "org"), str(tmp_path / "nope"), "--select", "SVC", "-f", "json")
    report = json.loads(out)
    assert code == 1
    assert [(r["name"], r["error"]) for r in report["repos"]] == [
        ("a", None), ("b", None), ("nope", f"{tmp_path / 'nope'} does not exist"),
    ]


def test_output_file_sarif_is_valid_and_junit_parses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "broken", DUPLICATE)
    sarif = tmp_path / "out.sarif"
    assert run(capsys, str(root), "-f", "sarif", "-o", str(sarif))[:2] == (1, "")
    document = json.loads(sarif.read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    results = document["runs"][0]["results"]
    svc002 = [r for r in results if r["ruleId"] == "SVC002"]
    assert svc002[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 5}
    code, out, _ = run(capsys, str(root), "--select", "SVC", "-f", "junit")
    suites = ET.fromstring(out)
    assert code == 1 and suites.get("failures") == "1"


def test_baseline_accepts_old_findings_and_fails_new_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "imports", IMPORT)
    baseline = tmp_path / "baseline.json"
    code, _, err = run(capsys, str(root), "--select", "SN001", "--write-baseline", str(baseline))
    assert (code, err) == (0, f"svc: wrote 1 findings to baseline {baseline}\n")
    code, out, _ = run(capsys, str(root), "--select", "SN001", "--baseline", str(baseline), "-f", "json")
    report = json.loads(out)
    assert code == 0
    assert [(f["rule"], f["suppressed"], f["suppression"]["source"]) for f in report["findings"]] == [
        ("SN001", True, "baseline"),
    ]
    # Moving the finding down does not make it new; a new finding in another file would be.
    (root / "template.yaml").write_text("# header\n\n" + IMPORT, encoding="utf-8")
    assert run(capsys, str(root), "--select", "SN001", "--baseline", str(baseline))[0] == 0
    other = repo(tmp_path, "other", IMPORT)
    assert run(capsys, str(root), str(other), "--select", "SN001", "--baseline", str(baseline))[0] == 1


@pytest.mark.parametrize(
    ("repos", "tty", "ci", "wanted"),
    [(50, True, "", True), (49, True, "", False), (500, False, "", False), (500, True, "true", False)],
)
def test_progress_bar_only_for_long_runs_on_a_terminal_outside_ci(
    monkeypatch: pytest.MonkeyPatch, repos: int, tty: bool, ci: str, wanted: bool
) -> None:
    monkeypatch.setattr(lint_run.sys.stderr, "isatty", lambda: tty)
    monkeypatch.setenv("CI", ci)
    assert lint_run._progress_wanted(repos) is wanted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ignore", ""], "svc: error: --ignore '' matches no rule: give a code or prefix such as SN001, SN or KMS (`svc rules` lists them)"),
        (["--select", "KMS2"], "svc: error: --select 'KMS2' matches no rule: give a code or prefix such as SN001, SN or KMS (`svc rules` lists them); did you mean KMS002?"),
    ],
)
def test_codes_that_match_no_rule_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    root = repo(tmp_path, "ok", "Resources: {}\n")
    assert run(capsys, str(root), *args)[::2] == (2, message + "\n")


def test_codes_are_case_insensitive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "broken", DUPLICATE)
    assert run(capsys, str(root), "--select", "svc002")[0] == 1


def test_unparseable_template_and_invalid_policy_cannot_be_suppressed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DUPLICATE.replace("    Type: AWS::SNS::Topic\n", '    Type: AWS::SNS::Topic  # svc: ignore[SVC002] reason="x"\n')
    root = repo(tmp_path, "broken", text)
    code, out, _ = run(capsys, str(root), "--select", "SVC", "-f", "json")
    assert code == 1
    assert [(f["rule"], f["suppressed"]) for f in json.loads(out)["findings"]] == [
        ("SVC002", False), ("SVC003", False),
    ]


def test_command_line_select_overrides_an_organisation_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "imports", IMPORT)
    policy = tmp_path / "org.yaml"
    policy.write_text("version: 1\nignore: [SN001]\n", encoding="utf-8")
    assert run(capsys, str(root), "--select", "SN", "--config", str(policy))[0] == 0
    assert run(capsys, str(root), "--select", "SN001", "--config", str(policy))[0] == 1


def test_a_baseline_never_hides_a_mandatory_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "imports", IMPORT)
    policy = tmp_path / "org.yaml"
    baseline = tmp_path / "b.json"
    run(capsys, str(root), "--select", "SN001", "--write-baseline", str(baseline))
    policy.write_text("version: 1\nmandatory: [SN001]\n", encoding="utf-8")
    assert run(capsys, str(root), "--select", "SN001", "--baseline", str(baseline))[0] == 0
    assert run(capsys, str(root), "--select", "SN001", "--config", str(policy), "--baseline", str(baseline))[0] == 1


def test_facts_output_into_a_missing_folder_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, "ok", "Resources: {}\n")
    code = main(["facts", str(root), "-o", str(tmp_path / "missing" / "f.json")])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"svc: error: cannot write facts to {tmp_path / 'missing' / 'f.json'}: No such file or directory\n")
