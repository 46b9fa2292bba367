"""`svc adopt`: writes only what is missing, from what the template says; never overwrites."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from svc_serverless import __version__
from svc_serverless.cli import main
from tests.corpus import CORPUS, needs_corpus

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Publisher:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/publisher/
      Handler: app.handler
      Runtime: python3.13
      Policies:
        - Statement:
            - Effect: Allow
              Action: events:PutEvents
              Resource: !Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default
              Condition: {StringEquals: {events:source: orders}}
  OnPayment:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [payments], detail-type: [PaymentTaken]}
"""


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "Orders_Service"
    (repo / "functions" / "publisher").mkdir(parents=True)
    (repo / "functions" / "publisher" / "app.py").write_text("def handler(e, c):\n    return e\n")
    (repo / "template.yaml").write_text(TEMPLATE)
    return repo


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_adopt_writes_the_missing_files_from_the_template(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    assert main(["adopt", str(repo / "functions"), "--owner", "team-orders"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:4] == ["wrote catalog-info.yaml", "wrote CODEOWNERS",
                                    "wrote README.md", "wrote .svc/answers.json"]
    manifest = yaml.safe_load((repo / "catalog-info.yaml").read_text())
    assert manifest["metadata"]["name"] == "orders-service"
    assert manifest["spec"]["owner"] == "team-orders"
    assert manifest["spec"]["svc"]["events"] == {
        "publishes": [], "consumes": [{"source": "payments", "detailType": "PaymentTaken"}]}
    assert (repo / "CODEOWNERS").read_text().endswith("* @team-orders\n")
    answers = json.loads((repo / ".svc" / "answers.json").read_text())
    assert answers["svc_version"] == __version__
    assert answers["template"] == {"source": "adopted", "ref": None, "commit": None}
    capsys.readouterr()
    assert main(["lint", str(repo), "--no-cache", "--select", "LAY005", "--select", "LAY006"]) == 0
    capsys.readouterr()
    # svc cannot know which detail-types the publisher sends: ORG007 asks the team to say so.
    main(["lint", str(repo), "--no-cache", "--select", "ORG007"])
    assert "put events with source 'orders', which catalog-info.yaml does not declare" in (
        capsys.readouterr().out)


def test_adopt_never_overwrites_and_dry_run_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    (repo / "README.md").write_text("# mine\n")
    (repo / ".github").mkdir()
    (repo / ".github" / "CODEOWNERS").write_text("* @team-own\n")
    before = _hashes(repo)
    assert main(["adopt", str(repo), "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "would write catalog-info.yaml\nwould write .svc/answers.json\n"
        "kept .github/CODEOWNERS (exists)\nkept README.md (exists)\n")
    assert _hashes(repo) == before
    assert main(["adopt", str(repo)]) == 0
    after = _hashes(repo)
    assert {k: v for k, v in after.items() if k in before} == before
    assert yaml.safe_load((repo / "catalog-info.yaml").read_text())["spec"]["owner"] == "team-own"


@pytest.mark.parametrize(("args", "message"), [
    ([], "the owning team is unknown: pass --owner TEAM (e.g. --owner team-billing)"),
    (["--owner", "a b"], "--owner 'a b' is not a team name (letters, digits, . _ -, optionally org/team)"),
    (["--owner", "t", "--name", "Bad_Name"],
     "--name 'Bad_Name' is not lower-case kebab-case of 3 to 40 characters"),
])
def test_adopt_refuses_with_one_line_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    repo = _repo(tmp_path)
    before = _hashes(repo)
    assert main(["adopt", str(repo), *args]) == 2
    assert capsys.readouterr().err == f"svc: error: {message}\n"
    assert _hashes(repo) == before


def test_a_template_svc_cannot_read_still_gets_its_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    (repo / "template.yaml").write_text("Resources: [\n")
    assert main(["adopt", str(repo), "--owner", "team-orders"]) == 0
    assert capsys.readouterr().out.startswith(
        "note: svc cannot read the template (`svc lint` says why): catalog-info.yaml declares "
        "no events or APIs; add them once the template is fixed\nwrote catalog-info.yaml\n")
    assert main(["lint", str(repo), "--select", "LAY005", "--select", "LAY006"]) == 1  # SVC002
    assert "LAY00" not in capsys.readouterr().out


def test_update_and_check_refuse_an_adopted_repo(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    repo = _repo(tmp_path)
    main(["adopt", str(repo), "--owner", "team-orders"])
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    capsys.readouterr()
    assert main(["check", str(repo)]) == 2
    assert "was adopted (`svc adopt`), not made by `svc new`" in capsys.readouterr().err


@needs_corpus
def test_adopt_on_every_corpus_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Never a crash, never a changed file, and no LAY005 left (report: before/after counts)."""
    copies = tmp_path / "corpus"
    shutil.copytree(CORPUS, copies, symlinks=True)
    repos = sorted(p for p in copies.iterdir() if any(p.glob("template.*")))
    before = {repo.name: _hashes(repo) for repo in repos}
    for repo in repos:
        code = main(["adopt", str(repo), "--owner", "team-platform"])
        assert code == 0, (repo.name, capsys.readouterr().err)
        after = _hashes(repo)
        assert {k: after.get(k) for k in before[repo.name]} == before[repo.name]
    main(["lint", str(copies), "--no-cache", "--select", "LAY005", "-f", "json",
          "-o", str(tmp_path / "r.json")])
    findings = json.loads((tmp_path / "r.json").read_text())["findings"]
    assert [f for f in findings if f["rule"] == "LAY005"] == []
