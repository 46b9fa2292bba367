"""`svc lint --fix`: what it changes, what it refuses, and that the fixed findings are gone."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from svc_serverless.cli import main

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
# a hand-written template
Resources:
    Key:
        Type: AWS::KMS::Key   # rotation off
        Properties:
            EnableKeyRotation: false
    Table:
        Type: AWS::DynamoDB::Table
        Properties:
            BillingMode: PAY_PER_REQUEST
            KeySchema: [{AttributeName: id, KeyType: HASH}]
            AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    Queue:
        Type: AWS::SQS::Queue
    CreateOrder:
        Type: AWS::Serverless::Function
        Properties:
            CodeUri: ./functions/CreateOrder/
            Handler: app.handler
            Runtime: python3.13
"""
MANIFEST = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orders}
spec:
  type: service
  lifecycle: production
  owner: team-orders
  svc: {domain: orders, ssmPrefix: /orders/, apis: {}, events: {}}
"""


def _repo(tmp_path: Path, *, readme: bool = True) -> Path:
    repo = tmp_path / "orders"
    (repo / "functions" / "CreateOrder").mkdir(parents=True)
    (repo / "functions" / "CreateOrder" / "app.py").write_text("def handler(e, c):\n    return e\n")
    (repo / "functions" / "CreateOrder" / "requirements.txt").write_text("")
    (repo / "template.yaml").write_text(TEMPLATE)
    (repo / "catalog-info.yaml").write_text(MANIFEST)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    if readme:
        (repo / "README.md").write_text("# orders\n")
    return repo


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if ".git" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _codes(capsys: pytest.CaptureFixture[str], repo: Path) -> list[str]:
    capsys.readouterr()
    main(["lint", str(repo), "--no-cache", "-f", "json", "-o", str(repo.parent / "r.json")])
    import json

    data = json.loads((repo.parent / "r.json").read_text())
    return sorted(f["rule"] for f in data["findings"] if not f.get("suppressed"))


def test_safe_fixes_change_only_their_lines_and_the_findings_go(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    assert _codes(capsys, repo) == ["KMS001", "KMS002", "KMS002", "LAY005", "LAY008"]
    code = main(["lint", str(repo), "--fix", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 1  # the queue's key is an unsafe fix: one finding stays
    assert "svc: fixed 4 finding(s), 1 remaining" in err
    assert (repo / "template.yaml").read_text() == TEMPLATE.replace(
        "EnableKeyRotation: false", "EnableKeyRotation: true").replace(
        "AttributeType: S}]\n", "AttributeType: S}]\n            SSESpecification:\n"
        "                SSEEnabled: true\n                SSEType: KMS\n"
        "                KMSMasterKeyId: !Ref Key\n").replace(
        "functions/CreateOrder/", "functions/create-order/")
    assert (repo / "functions" / "create-order" / "app.py").is_file()
    assert not (repo / "functions" / "CreateOrder").exists()
    assert (repo / "CODEOWNERS").read_text().endswith("* @team-orders\n")
    assert _codes(capsys, repo) == ["KMS002"]


def test_unsafe_fixes_encrypt_the_queue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    assert main(["lint", str(repo), "--fix", "--unsafe-fixes", "--no-cache"]) == 0
    assert "    Queue:\n        Type: AWS::SQS::Queue\n        Properties:\n" \
           "            KmsMasterKeyId: !Ref Key\n" in (repo / "template.yaml").read_text()
    assert _codes(capsys, repo) == []


def test_a_template_without_a_key_gets_one_only_with_unsafe_fixes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    (repo / "template.yaml").write_text(TEMPLATE.replace(
        "    Key:\n        Type: AWS::KMS::Key   # rotation off\n        Properties:\n"
        "            EnableKeyRotation: false\n", ""))
    main(["lint", str(repo), "--fix", "--no-cache"])
    assert "KMS001 add a key: not fixed" in capsys.readouterr().err
    assert "AWS::KMS::Key" not in (repo / "template.yaml").read_text()
    main(["lint", str(repo), "--fix", "--unsafe-fixes", "--no-cache"])
    text = (repo / "template.yaml").read_text()
    assert "    ServiceKey:\n        Type: AWS::KMS::Key\n" in text
    assert "KMSMasterKeyId: !Ref ServiceKey" in text  # the next round used the new key
    assert _codes(capsys, repo) == []


def test_dry_run_prints_a_diff_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    before = _tree_hash(repo)
    assert main(["lint", str(repo), "--fix", "--dry-run", "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "--- a/template.yaml\n+++ b/template.yaml\n" in out
    assert "-            EnableKeyRotation: false\n+            EnableKeyRotation: true\n" in out
    assert "+++ b/CODEOWNERS\n" in out
    assert "rename functions/CreateOrder/ -> functions/create-order/\n" in out
    assert _tree_hash(repo) == before


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def test_a_dirty_git_tree_is_refused_unless_allowed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    (repo / "README.md").write_text("# orders, edited\n")
    before = _tree_hash(repo)
    capsys.readouterr()
    assert main(["lint", str(repo), "--fix", "--no-cache"]) == 2
    assert capsys.readouterr().err == (
        f"svc: error: {repo} has uncommitted changes: commit or stash them first, "
        "or pass --allow-dirty\n")
    assert _tree_hash(repo) == before
    main(["lint", str(repo), "--fix", "--allow-dirty", "--no-cache"])
    assert "R  functions/CreateOrder/app.py -> functions/create-order/app.py" in _git(
        repo, "status", "--short")  # renamed with git mv


def test_fix_flags_need_fix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["lint", str(_repo(tmp_path)), "--dry-run"]) == 2
    assert capsys.readouterr().err == (
        "svc: error: --unsafe-fixes, --dry-run and --allow-dirty go with --fix\n")


def test_rules_list_shows_what_fix_can_do(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rules"])
    lines = {line.split()[0]: line.split()[3] for line in capsys.readouterr().out.splitlines()[1:-2]}
    assert {code: fix for code, fix in lines.items() if fix != "-"} == {
        "KMS001": "yes+", "KMS002": "yes+", "LAY005": "yes", "LAY008": "yes"}


def test_lint_without_fix_imports_no_editor() -> None:
    script = ("import sys\nfrom svc_serverless.cli import main\n"
              f"main(['lint', {str(Path(__file__).parents[2] / 'examples' / 'org')!r}, '--no-cache', "
              "'-o', '/dev/null'])\n"
              "print(sorted(m for m in sys.modules if m.startswith(('svc_serverless.fix', "
              "'svc_serverless.edit', 'ruamel'))))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
