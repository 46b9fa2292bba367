"""`svc add function|workflow|layer`: every combination lints clean, deploys, and tests green."""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.linter.cfnyaml import loads

RUNTIMES = ("python3.13", "nodejs22.x")
ADDITIONS: tuple[tuple[str, ...], ...] = (
    ("function", "get-report", "--trigger", "api"),
    ("function", "work-queue", "--trigger", "queue"),
    ("function", "nightly", "--trigger", "schedule", "--schedule", "cron(0 3 * * ? *)"),
    ("function", "on-payment", "--trigger", "event", "--source", "payments",
     "--detail-type", "PaymentTaken"),
    ("layer", "shared-util"),
    ("workflow", "settle", "--trigger", "event", "--source", "payments",
     "--detail-type", "PaymentSettled"),
    ("workflow", "cleanup", "--trigger", "schedule"),
    ("workflow", "manual"),
)


def _new(tmp_path: Path, runtime: str, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["new", "billing", "--owner", "team-billing", "--runtime", runtime, "--no-git",
                 "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    return tmp_path / "billing"


def _tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _removed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                   lineterm="", n=0)
            if line.startswith("-") and not line.startswith("---")]


def _own_tests(repo: Path, python: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    env.pop("PYTHONPATH", None)
    if python:
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=300,
                              check=False)
    folders = [p for p in sorted((repo / "functions").iterdir()) if p.name in {
        "get-report", "work-queue", "nightly", "on-payment"}] + [repo / "tests"]
    runs = [subprocess.run(["node", "--test"], cwd=f, env=env, capture_output=True, text=True,
                           timeout=120, check=False) for f in folders]
    return subprocess.CompletedProcess([], max(r.returncode for r in runs),
                                       "".join(r.stdout for r in runs),
                                       "".join(r.stderr for r in runs))


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_addition_is_clean_deployable_and_tested(
        tmp_path: Path, runtime: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _new(tmp_path, runtime, capsys)
    monkeypatch.chdir(repo / "functions")  # found upward from the current folder
    for addition in ADDITIONS:
        before = (repo / "template.yaml").read_text()
        assert main(["add", *addition]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        kind, name = addition[:2]
        assert out.startswith(f"added {kind} {name}: {kind}s/{name}/, ")
        assert _removed_lines(before, (repo / "template.yaml").read_text()) == []
    monkeypatch.chdir(tmp_path)
    assert main(["lint", str(repo), "--no-cache"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    from cfnlint.api import ManualArgs, lint

    text = (repo / "template.yaml").read_text()
    assert [str(m) for m in lint(text, config=ManualArgs(regions=["us-east-1"]))] == []
    from tests.sam_expansion import go_offline, translated

    go_offline(monkeypatch, tmp_path)
    expanded = translated(loads(text))
    assert expanded is not None
    resources = expanded["Resources"]
    assert resources["WorkQueueFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {
        "Ref": "WorkQueueLogGroup"}
    assert "WorkQueueFunctionAliasdev" in resources  # an alias per stage, from Globals
    data = loads(text)["Resources"]
    assert data["OnPaymentFunction"]["Properties"]["Events"]["Event"]["Properties"]["Pattern"] == {
        "source": ["payments"], "detail-type": ["PaymentTaken"]}
    assert data["GetReportFunction"]["Properties"]["Events"]["Get"]["Properties"]["Path"] == (
        "/billing/get-report")
    assert data["WorkQueueErrorsAlarm"]["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    manifest = loads((repo / "catalog-info.yaml").read_text())
    assert manifest["spec"]["svc"]["events"]["consumes"][-2:] == [
        {"source": "payments", "detailType": "PaymentTaken"},
        {"source": "payments", "detailType": "PaymentSettled"}]
    python = runtime.startswith("python")
    if python or shutil.which("node"):
        result = _own_tests(repo, python)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_function_folder_is_exactly_the_parts(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = _new(tmp_path, "python3.13", capsys)
    assert main(["add", "function", "send-invoice", "--trigger", "queue", "--repo", str(repo)]) == 0
    folder = repo / "functions" / "send-invoice"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "handler.py", "requirements.txt"]
    # Its tests stay out of what sam build packages, beside the template's own.
    assert (repo / "tests" / "test_send_invoice.py").is_file()


BAD_TEMPLATE = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n" \
               "      Runtime: python3.13\n      Handler: a.b\n      CodeUri: functions/fn/\n"


@pytest.mark.parametrize(("argv", "setup", "message"), [
    (["function", "router", "--trigger", "api"], None,
     "functions/router exists already: choose another name"),
    (["function", "Bad_Name", "--trigger", "api"], None,
     "function name 'Bad_Name' must be lower-case kebab-case, 2 to 40 characters (e.g. send-invoice)"),
    (["function", "receiver-x", "--trigger", "event"], None,
     "--source must be 1 to 256 printable characters without quotes"),
    (["function", "tick", "--trigger", "schedule", "--schedule", "every day"], None,
     "--schedule 'every day' is not rate(...) or cron(...)"),
    (["layer", "domain"], None, "layers/domain exists already: choose another name"),
    (["function", "x-ray", "--trigger", "api"], "no-key",
     ("the template has no KMS key of its own: add one first (`svc lint --fix --unsafe-fixes` "
      "adds ServiceKey), then run svc add")),
    (["function", "x-ray", "--trigger", "api"], "unparseable",
     "svc cannot read template.yaml (`svc lint` says why): fix it before svc add"),
    (["function", "x-ray", "--trigger", "api", "--runtime", "java21"], None,
     ("runtime 'java21' is not one svc add writes (python3.13, python3.12, nodejs22.x, "
      "nodejs20.x): pass --runtime")),
])
def test_refusals_are_one_line_and_change_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], setup: str | None,
        message: str) -> None:
    repo = _new(tmp_path, "python3.13", capsys)
    if setup == "no-key":
        (repo / "template.yaml").write_text(BAD_TEMPLATE)
    elif setup == "unparseable":
        (repo / "template.yaml").write_text("Resources: [\n")
    before = _tree(repo)
    assert main(["add", *argv, "--repo", str(repo)]) == 2
    assert capsys.readouterr().err == f"svc: error: {message}\n"
    assert _tree(repo) == before


def test_api_trigger_needs_the_http_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "plain"
    repo.mkdir()
    (repo / "template.yaml").write_text(BAD_TEMPLATE.replace(
        "Resources:\n", "Resources:\n  Key:\n    Type: AWS::KMS::Key\n"
        "    Properties: {EnableKeyRotation: true}\n"))
    before = _tree(repo)
    assert main(["add", "function", "get-x", "--trigger", "api", "--repo", str(repo)]) == 2
    assert capsys.readouterr().err == (
        "svc: error: --trigger api needs the template's HTTP API (one AWS::Serverless::HttpApi); "
        "there is none, or several\n")
    assert _tree(repo) == before
    # A plain template (no Globals, no alarm topic) still gets a complete function.
    assert main(["add", "function", "tick", "--trigger", "schedule", "--repo", str(repo)]) == 0
    tick = loads((repo / "template.yaml").read_text())["Resources"]["TickFunction"]["Properties"]
    assert tick["KmsKeyArn"] == {"Fn::GetAtt": ["Key", "Arn"]}
    assert tick["Handler"] == "handler.handler"


def test_nothing_is_left_behind_when_the_write_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from svc_serverless.edit import write as edit_write

    repo = _new(tmp_path, "python3.13", capsys)
    before = _tree(repo)

    def broken(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(edit_write, "write_atomic", broken)
    assert main(["add", "function", "send-invoice", "--trigger", "queue", "--repo", str(repo)]) == 2
    assert capsys.readouterr().err == (
        "svc: error: cannot write the addition (No space left on device): nothing was changed\n")
    assert _tree(repo) == before


def test_an_added_function_survives_a_template_update(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import svc_serverless
    from tests.scaffold.update.helpers import (
        commit_all,
        copy_template,
        git,
        new_repo,
        template_edit,
    )

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / ".gitconfig").write_text("[user]\n\tname = Jane\n\temail = jane@example.com\n"
                                     "[init]\n\tdefaultBranch = main\n")
    template = copy_template(tmp_path / "org-template")
    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template))
    assert main(["add", "function", "send-invoice", "--trigger", "queue", "--repo", str(repo)]) == 0
    commit_all(repo, "add send-invoice")
    template_edit(template, "template.yaml", "      RetentionInDays: {{ cookiecutter.log_retention_days }}\n\n  ReceiverLogGroup:",
                  "      RetentionInDays: {{ cookiecutter.log_retention_days }}\n\n  # receiver logs\n  ReceiverLogGroup:")
    monkeypatch.setattr(svc_serverless, "__version__", "0.3.0")
    capsys.readouterr()
    assert main(["update", str(repo)]) == 0, capsys.readouterr()
    text = (repo / "template.yaml").read_text()
    assert "  # receiver logs\n" in text and "  SendInvoiceFunction:\n" in text
    assert (repo / "functions" / "send-invoice" / "handler.py").is_file()
    assert git(repo, "status", "--porcelain") == ""
    capsys.readouterr()
    assert main(["lint", str(repo), "--no-cache"]) == 0, capsys.readouterr().out


def test_consumed_event_is_recorded_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _new(tmp_path, "python3.13", capsys)
    for name in ("on-a", "on-b"):
        assert main(["add", "function", name, "--trigger", "event", "--source", "payments",
                     "--detail-type", "PaymentTaken", "--repo", str(repo)]) == 0
    consumes = loads((repo / "catalog-info.yaml").read_text())["spec"]["svc"]["events"]["consumes"]
    assert consumes.count({"source": "payments", "detailType": "PaymentTaken"}) == 1
