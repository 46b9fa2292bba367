"""Baselines identify a finding within its repo, and a repo by its place in the run.

A repo's baseline works in a checkout of any name (CodeBuild checks out into `src`), and in a
run over several repos one repo's accepted finding never absorbs another's new one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.linter.baseline import BASELINE_VERSION

CLEAN = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n"
# An SN001 violation: engine findings (SVC) are never baselined, so the baseline needs a rule's.
DUPLICATE = ("Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Properties:\n"
             "      QueueName: !ImportValue other-QueueName\n")


def repo(root: Path, template: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(template, encoding="utf-8")
    return root


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str, bool]]]:
    """Exit code and (repo, rule, suppressed) of every finding."""
    code = main(["lint", "--select", "SN001", "-f", "json", "-j", "1", *args])
    report = json.loads(capsys.readouterr().out)
    return code, [(f["repo"], f["rule"], f["suppressed"]) for f in report["findings"]]


def write(capsys: pytest.CaptureFixture[str], baseline: Path, *args: str) -> None:
    assert main(["lint", "--select", "SN001", "-j", "1", "--write-baseline", str(baseline), *args]) == 0
    capsys.readouterr()


def test_a_repos_baseline_works_in_a_checkout_of_any_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    billing = repo(tmp_path / "billing", DUPLICATE)
    baseline = billing / ".svc" / "baseline.json"
    baseline.parent.mkdir()
    monkeypatch.chdir(billing)
    write(capsys, baseline)
    src = tmp_path / "ci" / "src"
    shutil.copytree(billing, src)
    monkeypatch.chdir(src)
    assert lint(capsys, "--baseline", ".svc/baseline.json") == (0, [("src", "SN001", True)])
    monkeypatch.chdir(tmp_path / "ci")
    assert lint(capsys, "src", "--baseline", "src/.svc/baseline.json") == (0, [("src", "SN001", True)])


def test_a_baseline_never_absorbs_the_same_violation_new_in_a_namesake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo(tmp_path / "a" / "billing", DUPLICATE)
    repo(tmp_path / "b" / "billing", CLEAN)
    monkeypatch.chdir(tmp_path)
    write(capsys, tmp_path / "baseline.json", "a/billing", "b/billing")
    repo(tmp_path / "b" / "billing", DUPLICATE)
    code, findings = lint(capsys, "a/billing", "b/billing", "--baseline", "baseline.json")
    assert (code, findings) == (1, [("a/billing", "SN001", True), ("b/billing", "SN001", False)])


def test_a_baseline_of_several_repos_matches_each_repo_by_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo(tmp_path / "orders", DUPLICATE)
    repo(tmp_path / "billing", CLEAN)
    monkeypatch.chdir(tmp_path)
    write(capsys, tmp_path / "baseline.json", "orders", "billing")
    data = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert data["version"] == BASELINE_VERSION and data["single_repo"] is False
    assert [(e["repo"], e["rule"], e["file"]) for e in data["findings"]] == [
        ("orders", "SN001", "template.yaml"),
    ]
    # Alone, orders still matches its entry (same place); billing, alone or not, never does.
    assert lint(capsys, "orders", "--baseline", "baseline.json")[0] == 0
    repo(tmp_path / "billing", DUPLICATE)
    assert lint(capsys, "billing", "--baseline", "baseline.json") == (1, [("billing", "SN001", False)])


def test_a_one_repo_baseline_in_a_run_over_several_repos_matches_by_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo(tmp_path / "orders", DUPLICATE)
    repo(tmp_path / "billing", DUPLICATE)
    monkeypatch.chdir(tmp_path)
    write(capsys, tmp_path / "baseline.json", "orders")
    assert lint(capsys, "orders", "billing", "--baseline", "baseline.json") == (
        1, [("billing", "SN001", False), ("orders", "SN001", True)],
    )


REGENERATE = "regenerate it with --write-baseline b.json"
OLD = ('{"version": 1, "findings": [{"fingerprint": "abc", "rule": "SN001", "repo": "billing", '
       '"file": "template.yaml"}]}\n')


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (OLD, ("svc: error: baseline b.json has version 1, whose fingerprints include the checkout "
               f"folder's name; this svc reads version {BASELINE_VERSION}: {REGENERATE}")),
        ("[]", f"svc: error: b.json is not a svc baseline (version {BASELINE_VERSION}): {REGENERATE}"),
        ('{"version": 2, "single_repo": true, "findings": [{"fingerprint": "abc"}]}',
         f"svc: error: b.json is not a svc baseline (an entry has no `repo` and `fingerprint`): {REGENERATE}"),
        ("{", f"svc: error: b.json is not a svc baseline (invalid JSON): {REGENERATE}"),
    ],
)
def test_an_old_or_broken_baseline_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    content: str, message: str,
) -> None:
    repo(tmp_path / "orders", DUPLICATE)
    (tmp_path / "b.json").write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "orders", "--baseline", "b.json"]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_writing_a_baseline_never_follows_a_link_at_its_temporary_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    repo(tmp_path / "orders", DUPLICATE)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (tmp_path / f".b.json.{os.getpid()}.tmp").symlink_to(victim)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "orders", "--select", "SN001", "--write-baseline", "b.json"]) == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["findings"][0]["rule"] == "SN001"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json", "orders", "victim.txt"]
