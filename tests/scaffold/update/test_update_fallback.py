"""Repos from before the pristine chain (svc 0.1.x): the root commit, or `--base`, is the base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import svc_serverless
from svc_serverless.scaffold import create
from tests.scaffold.update.helpers import (
    commit_all,
    copy_template,
    edit,
    git,
    new_repo,
    run,
    snapshot,
    template_edit,
)

HANDLER = "functions/router/handler.py"
LIMIT = ('return int(query.get("limit", "50"))', 'return int(query.get("limit", "25"))')


def as_made_by_0_1(repo: Path, extra: str | None = None) -> str:
    """Rewrite svc new's commit as svc 0.1.x made it: no trailers, the old answers format."""
    path = repo / ".svc/answers.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    del record["template"]
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if extra is not None:
        (repo / extra).write_text("added by hand\n", encoding="utf-8")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--amend", "-m", "Create billing with svc 0.1.4")
    assert "Svc-" not in git(repo, "log", "-1", "--format=%B")
    return git(repo, "rev-parse", "HEAD").strip()


def test_the_root_commit_is_the_base_and_the_answers_file_is_migrated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    root = as_made_by_0_1(repo)
    edit(repo, HANDLER, *LIMIT)
    mine = commit_all(repo, "user work")

    code, out, err = run(capsys, "update", str(repo))

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        f"base: the root commit {root[:12]} (made before svc marked its template commits)",
        "migration: the answers file now records the template"]
    assert lines[2].startswith("billing: updated on branch svc/update-0.2.0 (from main): the "
                               "template changed 1 file")
    assert git(repo, "merge-base", "HEAD^1", "HEAD^2").strip() == root
    assert git(repo, "rev-parse", "HEAD^1").strip() == mine
    assert LIMIT[1] in (repo / HANDLER).read_text(encoding="utf-8")
    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    assert record["template"] == {"source": "bundled", "ref": None, "commit": None}
    # From now on the chain is there: the next update (nothing new) is a no-op.
    assert run(capsys, "update", str(repo))[:2] == (
        0, "billing: already current with svc 0.2.0's template: nothing to do\n")


def test_an_upgraded_svc_updates_a_0_1_repo_from_its_root_commit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(capsys, tmp_path)
    root = as_made_by_0_1(repo)
    edit(repo, HANDLER, *LIMIT)
    commit_all(repo, "user work")
    newer = copy_template(tmp_path / "bundled-0.3")
    template_edit(newer, "README.md", "## Layout\n", "## Layout (0.3)\n")
    monkeypatch.setattr(create, "TEMPLATE_DIR", newer)
    monkeypatch.setattr(svc_serverless, "__version__", "0.3.0")

    code, _, err = run(capsys, "update", str(repo))

    assert (code, err) == (0, "")
    assert git(repo, "merge-base", "HEAD^1", "HEAD^2").strip() == root
    assert "## Layout (0.3)\n" in (repo / "README.md").read_text(encoding="utf-8")
    assert LIMIT[1] in (repo / HANDLER).read_text(encoding="utf-8")
    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    assert (record["svc_version"], record["template"]["source"]) == ("0.3.0", "bundled")


def test_a_root_commit_with_more_than_the_render_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    root = as_made_by_0_1(repo, extra="LICENSE")
    before = snapshot(repo)

    code, out, err = run(capsys, "update", str(repo))

    assert (code, out) == (2, "")
    assert err == (f"svc: error: {repo}'s root commit {root[:12]} is not svc's unmodified render "
                   "(it differs in LICENSE): pass the commit that holds svc's unmodified render "
                   "with `svc update --base COMMIT`\n")
    assert snapshot(repo) == before


def test_base_names_the_render_in_a_history_that_began_before_svc(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rendered = new_repo(capsys, tmp_path, "billing", "--no-git")
    repo = tmp_path / "history"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "README.md").write_text("the old README\n", encoding="utf-8")
    commit_all(repo, "before svc")
    for path in rendered.rglob("*"):
        if path.is_file():
            target = repo / path.relative_to(rendered)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    render_commit = commit_all(repo, "svc's render")
    edit(repo, HANDLER, *LIMIT)
    commit_all(repo, "user work")
    assert run(capsys, "update", str(repo))[0] == 2  # the root commit holds no render

    code, _, err = run(capsys, "update", str(repo), "--base", render_commit[:12],
                       "--data", "lifecycle=production")

    assert (code, err) == (0, "")
    assert git(repo, "merge-base", "HEAD^1", "HEAD^2").strip() == render_commit
    assert "lifecycle: production" in (repo / "catalog-info.yaml").read_text(encoding="utf-8")
    assert LIMIT[1] in (repo / HANDLER).read_text(encoding="utf-8")


@pytest.mark.parametrize("base,error", [
    ("0000000", "--base '0000000' names no commit in {repo}: give a commit id from `git log`"),
    ("--all", "--base '--all' is not a commit: give a commit id"),
    ("other", ("--base other is not in the history of HEAD: give a commit your branch contains "
              "(svc merges into its history)")),
])
def test_a_bad_base_is_refused(base: str, error: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    git(repo, "switch", "--quiet", "--orphan", "other")
    (repo / "x.txt").write_text("x\n", encoding="utf-8")
    git(repo, "add", "x.txt")
    git(repo, "commit", "--quiet", "-m", "unrelated")
    git(repo, "switch", "--quiet", "main")

    code, out, err = run(capsys, "update", str(repo), f"--base={base}")

    assert (code, out) == (2, "")
    assert err == "svc: error: " + error.format(repo=repo) + "\n"
