"""`svc check`: 0 current, 1 behind (what changed), 2 cannot tell (why); it writes nothing."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

import svc_serverless
from tests.scaffold.update.helpers import (
    commit_all,
    copy_template,
    git,
    new_repo,
    run,
    snapshot,
    template_edit,
)


def objects(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / ".git/objects").rglob("*") if p.is_file())


def test_a_new_repo_is_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    first = git(repo, "rev-parse", "HEAD").strip()

    assert run(capsys, "check", str(repo)) == (
        0, (f"billing: current: the last template commit {first[:12]} (svc 0.2.0) is what svc "
           "0.2.0 renders\n"), "")


def test_user_changes_do_not_make_a_repo_behind(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    (repo / "README.md").write_text("mine\n", encoding="utf-8")
    commit_all(repo, "mine")

    assert run(capsys, "check", str(repo / "functions"))[0] == 0


def test_a_changed_template_makes_it_behind_with_what_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "tpl")
    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template))
    first = git(repo, "rev-parse", "HEAD").strip()
    template_edit(template, "README.md", "## Layout\n", "## Layout\n\nSee below.\n")
    (template / "{{cookiecutter.service_name}}/events/router/list.json").unlink()
    before, stored = snapshot(repo), objects(repo)

    code, out, err = run(capsys, "check", str(repo))

    assert (code, err) == (1, "")
    assert out.splitlines() == [
        (f"billing: behind: svc 0.2.0 renders 3 files differently from the last template commit "
        f"{first[:12]} (svc 0.2.0)"),
        "  M .svc/answers.json  (+1 -1)",
        "  M README.md  (+2)",
        "  D events/router/list.json  (-29)",
        "run `svc update` to merge them (`svc update --dry-run` shows the diff)",
    ]
    assert (snapshot(repo), objects(repo)) == (before, stored)


def test_a_newer_svc_makes_it_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(capsys, tmp_path)
    monkeypatch.setattr(svc_serverless, "__version__", "0.3.0")

    code, out, _ = run(capsys, "check", str(repo))

    assert code == 1
    # The repo installs the svc that rendered it: a newer svc moves that pin everywhere.
    assert out.splitlines()[1:6] == ["  M .github/workflows/ci.yml  (+2 -2)",
                                     "  M .pre-commit-config.yaml  (+1 -1)",
                                     "  M .svc/answers.json  (+2 -2)",
                                     "  M README.md  (+1 -1)",
                                     ("run `svc update` to merge them (`svc update --dry-run` "
                                     "shows the diff)")]


@pytest.mark.parametrize("case", ["no-git", "not-svc", "no-base", "newer", "bad-answers"])
def test_cannot_tell_is_exit_2_with_the_reason(case: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    if case == "no-git":
        repo = new_repo(capsys, tmp_path, "billing", "--no-git")
        expected = f"{repo} is not in a git repository: run this inside a service repo made by `svc new`"
    elif case == "not-svc":
        repo = tmp_path / "plain"
        repo.mkdir()
        git(repo, "init", "--quiet")
        expected = (f"{repo} was not made by svc (no .svc/answers.json): `svc update` and "
                    "`svc check` work on repos made by `svc new`")
    elif case == "no-base":
        repo = new_repo(capsys, tmp_path, "billing", "--no-git")
        git(repo, "init", "--quiet")
        (repo / "first.txt").write_text("before svc\n", encoding="utf-8")
        git(repo, "add", "first.txt")
        git(repo, "commit", "--quiet", "-m", "first")
        commit_all(repo, "svc files")
        root = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
        expected = (f"{repo} has no svc template commit in its history, and its root commit "
                    f"{root[:12]} has no .svc/answers.json: pass the commit that holds svc's "
                    "unmodified render with `svc update --base COMMIT`")
    elif case == "newer":
        repo = new_repo(capsys, tmp_path)
        record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
        record["svc_version"] = "9.0.0"
        (repo / ".svc/answers.json").write_text(json.dumps(record), encoding="utf-8")
        expected = f"{repo} was rendered by svc 9.0.0, newer than this svc 0.2.0: upgrade svc to check it"
    else:
        repo = new_repo(capsys, tmp_path)
        (repo / ".svc/answers.json").write_text("[1, 2", encoding="utf-8")
        expected = (f"{repo}/.svc/answers.json is not a valid svc answers file (not JSON): restore "
                    "it from the repo's history (git log -- .svc/answers.json)")

    assert run(capsys, "check", str(repo)) == (2, "", f"svc: error: {expected}\n")


def test_an_answer_smuggling_template_code_is_refused(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    record["answers"]["system"] = "{{ cycler.__init__.__globals__.os.system('touch pwned') }}"
    (repo / ".svc/answers.json").write_text(json.dumps(record), encoding="utf-8")
    commit_all(repo, "hostile")

    code, _, err = run(capsys, "check", str(repo))

    assert code == 2
    assert err.startswith(f"svc: error: {repo}/.svc/answers.json: invalid system ")
    assert not (repo / "pwned").exists() and not Path("pwned").exists()


def test_org008_advice_names_a_command_that_brings_the_repo_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(capsys, tmp_path)
    monkeypatch.setattr(svc_serverless, "__version__", "0.5.0")
    code, out, _ = run(capsys, "lint", str(repo), "--no-cache", "-f", "json", "--select", "ORG008")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    commands = re.findall(r"`([^`]+)`", finding["message"])
    assert commands == ["svc update"]

    monkeypatch.chdir(repo)  # "in this repo"
    assert run(capsys, *shlex.split(commands[0])[1:])[0] == 0
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    assert branch == "svc/update-0.5.0"
    git(repo, "switch", "--quiet", "main")
    git(repo, "merge", "--quiet", "--no-ff", "--no-edit", branch)

    assert run(capsys, "lint", str(repo), "--no-cache", "--select", "ORG008")[0] == 0
    assert run(capsys, "check")[0] == 0
