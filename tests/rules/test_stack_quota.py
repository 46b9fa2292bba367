"""LAY010/LAY011 as a user meets them beyond the rule cases: the template body size (too large
for a case file), the warning share from an organisation policy, and a bad share value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svc_serverless.cli import main

SMALL = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
WORKER = ("  F{n:03d}: {{Type: AWS::Serverless::Function, Properties: {{Handler: app.handler, "
          "Runtime: python3.13, CodeUri: src, AutoPublishAlias: live, Events: {{Work: {{Type: SQS, "
          "Properties: {{Queue: !GetAtt WorkQueue.Arn}}}}}}}}}}\n")


def workers(count: int) -> str:
    """A queue and `count` functions of 5 resources each once SAM expands them."""
    lines = "".join(WORKER.format(n=n) for n in range(count))
    return "Resources:\n  WorkQueue: {Type: AWS::SQS::Queue}\n" + lines


def lint(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, list[list[object]], str]:
    code = main(["lint", "--no-cache", "--format", "json", "--select", "LAY010", "--select", "LAY011",
                 *args, str(root)])
    out, err = capsys.readouterr()
    findings = [[f["rule"], f["severity"], f["file"], f["line"], f["column"]]
                for f in json.loads(out)["findings"]] if out else []
    return code, findings, err


def repo(tmp_path: Path, template: str) -> Path:
    root = tmp_path / "orders"
    root.mkdir()
    (root / "template.yaml").write_text(template, encoding="utf-8")
    return root


@pytest.mark.parametrize(("size", "findings"), [
    (1_000_000, []),
    (1_000_001, [["LAY010", "error", "template.yaml", 1, 0]]),
])
def test_a_template_body_over_1_mb_is_an_error_at_line_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: int, findings: list[list[object]]
) -> None:
    padding = "#" * (size - len(SMALL) - 1) + "\n"  # comments count: CloudFormation gets the file
    root = repo(tmp_path, SMALL + padding)
    assert (root / "template.yaml").stat().st_size == size
    code, found, err = lint(capsys, root)
    assert (code, found, err) == (1 if findings else 0, findings, "")


def test_the_body_size_message_gives_the_size_and_the_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, SMALL + "#" * 1_100_000 + "\n")
    main(["lint", "--no-cache", "--format", "json", "--select", "LAY010", str(root)])
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["message"] == (
        "the template is 1,100,047 bytes: CloudFormation refuses a template body over 1,000,000 "
        "bytes (1 MB); move inline code and definitions to files, or split the service along a "
        "bounded context (see `svc rules LAY010`)")


def test_the_organisation_policy_sets_the_warning_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, workers(70))  # 351 resources
    assert lint(capsys, root) == (0, [], "")
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nlimits:\n  resource-warn-share: 0.7\n", encoding="utf-8")
    assert lint(capsys, root, "--config", str(policy)) == (
        0, [["LAY011", "warning", "template.yaml", 1, 1]], "")
    assert lint(capsys, root, "--config", str(policy), "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize("limits", ["{resource-warn-share: 1.5}", "{resource-warn-share: 0}",
                                    "{resource-warn-share: high}", "{resource-quota: 600}"])
def test_a_bad_limits_entry_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limits: str
) -> None:
    root = repo(tmp_path, SMALL)
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nlimits: {limits}\n", encoding="utf-8")
    code, _, err = lint(capsys, root, "--config", str(policy))
    assert code == 2
    assert err.startswith(f"svc: error: {policy}: invalid policy at limits")
    assert err.endswith("; see `svc lint --help` for the policy format\n")
    assert len(err.splitlines()) == 1
