"""`svc update` end to end: a user's repo, a template that changes, git's merge in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import svc_serverless
from svc_serverless.scaffold import migrations
from svc_serverless.scaffold.migrations import MoveFile, RecordTemplateOrigin, RenameAnswer
from tests.scaffold.update.helpers import (
    PROJECT,
    commit_all,
    copy_template,
    edit,
    git,
    new_repo,
    run,
    snapshot,
    template_edit,
    tree_files,
)

HANDLER = "functions/router/handler.py"
LIMIT = ('return int(query.get("limit", "50"))', 'return int(query.get("limit", "25"))')
REFUSALS_LINE = 'Refusals are {"message": ...} with 400, 404, 409 or 422.'
LOG_LINE = 'LOG.exception("request failed", extra={"routeKey": route})'
UPDATE_BODY = ('"body": "{\\"name\\": \\"renamed\\"}"', '"body": "{\\"name\\": \\"user\\"}"')
RUNBOOK = "# {{ cookiecutter.service_name }} runbook\n"


@pytest.fixture
def next_svc(monkeypatch: pytest.MonkeyPatch) -> None:
    """svc 0.3.0, whose template renames memory_size and moves update.json (with migrations)."""
    monkeypatch.setattr(svc_serverless, "__version__", "0.3.0")
    monkeypatch.setattr(migrations, "MIGRATIONS", (
        RecordTemplateOrigin("0.2.0"),
        RenameAnswer("0.3.0", "memory_size", "memory_mb"),
        MoveFile("0.3.0", "events/router/update.json", "events/router/put.json"),
    ))


def make_v2(template: Path, *, overlapping: bool) -> None:
    """The template's next version: a disjoint change, a new file, a removed file, a moved
    file, a renamed answer; with `overlapping`, also changes to what the user edits and deletes.
    """
    template_edit(template, HANDLER, REFUSALS_LINE, REFUSALS_LINE.replace("422.", "422 (JSON)."))
    (template / PROJECT / "docs").mkdir()
    (template / PROJECT / "docs/RUNBOOK.md").write_text(RUNBOOK, encoding="utf-8")
    (template / PROJECT / "events/router/list.json").unlink()
    (template / PROJECT / "events/router/update.json").rename(
        template / PROJECT / "events/router/put.json")
    edit(template, "cookiecutter.json", '"memory_size": "256"', '"memory_mb": "256"')
    template_edit(template, "template.yaml", "{{ cookiecutter.memory_size }}",
                  "{{ cookiecutter.memory_mb }}")
    if overlapping:
        template_edit(template, HANDLER, LOG_LINE, LOG_LINE.replace('"routeKey"', '"route"'))
        template_edit(template, "events/router/get.json", '"userAgent": "sam-local"',
                      '"userAgent": "sam-local/2"')


def user_work(repo: Path, *, overlapping: bool) -> None:
    """Edit a function, edit a sample event, add a file, delete a file; commit."""
    edit(repo, HANDLER, *LIMIT)
    edit(repo, "events/router/update.json", *UPDATE_BODY)
    (repo / "functions/router/extra.py").write_text("EXTRA = 1\n", encoding="utf-8")
    (repo / "events/router/delete.json").unlink()
    if overlapping:
        edit(repo, HANDLER, LOG_LINE, LOG_LINE.replace("request failed", "request failed!"))
        (repo / "events/router/get.json").unlink()
    commit_all(repo, "user work")


def update_json(capsys: pytest.CaptureFixture[str], repo: Path, *options: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, err = run(capsys, "update", str(repo), "--format", "json", *options)
    assert err == ""
    report = json.loads(out)
    assert len(report["repos"]) == 1
    return code, report["repos"][0]


@pytest.fixture
def v1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    template = copy_template(tmp_path / "org-template")
    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template),
                    "--data", "memory_size=512")
    return template, repo


def test_disjoint_changes_merge_and_every_user_change_is_kept(
        v1: tuple[Path, Path], next_svc: None, capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    user_work(repo, overlapping=False)
    mine = git(repo, "rev-parse", "HEAD").strip()
    make_v2(template, overlapping=False)

    code, row = update_json(capsys, repo)

    assert (code, row["status"], row["conflicts"]) == (0, "updated", [])
    pristine = row["template_commit"]
    branch = row["branch"]
    assert branch.startswith("svc/update-0.3.0-")
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == branch
    assert git(repo, "status", "--porcelain") == ""
    # Two merges: first svc new's render with update.json moved as the template moved it
    # (so git carries the user's edit along), then the new render on top of that.
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    moved = git(repo, "rev-parse", f"{pristine}^").strip()
    assert git(repo, "rev-parse", f"{moved}^@").split() == [first]
    assert git(repo, "rev-parse", "HEAD^1^1", "HEAD^1^2", "HEAD^2").split() == [
        mine, moved, pristine]
    assert git(repo, "diff", "--name-status", "-M", first, moved).split() == [
        "R100", "events/router/update.json", "events/router/put.json"]
    # What the merge must give: svc's new render with exactly the user's changes on top.
    expected = tree_files(repo, pristine)
    handler = expected[HANDLER].decode()
    assert REFUSALS_LINE.replace("422.", "422 (JSON).") in handler
    expected[HANDLER] = handler.replace(*LIMIT).encode()
    expected["events/router/put.json"] = expected["events/router/put.json"].decode().replace(
        *UPDATE_BODY).encode()
    expected["functions/router/extra.py"] = b"EXTRA = 1\n"
    del expected["events/router/delete.json"]
    assert tree_files(repo) == expected
    merged = tree_files(repo)
    assert "events/router/list.json" not in merged and "events/router/update.json" not in merged
    assert merged["docs/RUNBOOK.md"] == b"# billing runbook\n"
    assert b"MemorySize: 512\n" in merged["template.yaml"]
    record = json.loads(merged[".svc/answers.json"])
    assert record["svc_version"] == "0.3.0"
    assert record["answers"]["memory_mb"] == "512" and "memory_size" not in record["answers"]
    assert record["template"] == {"source": str(template), "ref": None, "commit": None}


def test_the_pristine_commit_is_exactly_the_new_template_render(
        v1: tuple[Path, Path], next_svc: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    make_v2(template, overlapping=False)

    code, row = update_json(capsys, repo)
    (tmp_path / "reference").mkdir()
    reference = new_repo(capsys, tmp_path / "reference", "billing", "--template", str(template),
                         "--no-git", "--data", "memory_mb=512")

    assert code == 0
    pristine = row["template_commit"]
    rendered = {path: content for path, content in tree_files(repo, pristine).items()}
    on_disk = {p.relative_to(reference).as_posix(): p.read_bytes()
               for p in reference.rglob("*") if p.is_file()}
    assert set(rendered) == set(on_disk)
    assert {p for p in rendered if rendered[p] != on_disk[p]} == {".svc/answers.json"}
    message = git(repo, "log", "-1", "--format=%an <%ae>%n%cn <%ce>%n%B", pristine)
    tree = git(repo, "rev-parse", f"{pristine}^{{tree}}").strip()
    assert message.splitlines()[:2] == ["svc <svc@localhost>", "svc <svc@localhost>"]
    fingerprint = json.loads(rendered[".svc/answers.json"])["template_fingerprint"]
    assert f"\nSvc-Template: 0.3.0 {fingerprint}\nSvc-Tree: {tree}\n" in message
    # Its only parent is the previous render (svc new's first commit) with update.json moved.
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    moved = git(repo, "rev-parse", f"{pristine}^@").split()
    assert len(moved) == 1 and git(repo, "rev-parse", f"{moved[0]}^@").split() == [first]


def test_overlapping_changes_conflict_only_where_both_sides_changed(
        v1: tuple[Path, Path], next_svc: None, capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    user_work(repo, overlapping=True)
    make_v2(template, overlapping=True)

    code, out, err = run(capsys, "update", str(repo))

    assert (code, err) == (1, "")
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    lines = out.splitlines()
    assert lines[:3] == ["migration: answer memory_size renamed to memory_mb",
                         "migration: answer svc_requirement set to 'svc-serverless==0.3.0'",
                         "migration: events/router/update.json moved to events/router/put.json"]
    del lines[:3]
    assert lines[0] == (f"billing: conflicts on branch {branch}: the template and your changes "
                        "overlap in 2 files:")
    assert lines[1:3] == ["  events/router/get.json", "  functions/router/handler.py"]
    assert lines[3] == (
        "next: fix each file where git left <<<<<<< ======= >>>>>>> markers (or run "
        "`git mergetool`), `git add` it, then `git commit`; to give up: git merge --abort && "
        f"git switch main && git branch -D {branch}")
    assert (repo / ".git/MERGE_HEAD").is_file()
    status = git(repo, "status", "--porcelain").splitlines()
    assert sorted(line for line in status if line[:2] in ("UU", "DU", "UD")) == [
        "DU events/router/get.json", "UU functions/router/handler.py"]
    # Not resurrected: a deleted-by-you conflict (base and template sides only, no "ours"),
    # which git will not commit until the user decides.
    stages = git(repo, "ls-files", "--stage", "--", "events/router/get.json").splitlines()
    assert [line.split()[2] for line in stages] == ["1", "3"]
    handler = (repo / HANDLER).read_text(encoding="utf-8")
    assert handler.count("<<<<<<< ") == 1 and handler.count(">>>>>>> ") == 1
    conflict = handler[handler.index("<<<<<<< "):handler.index(">>>>>>> ")]
    assert LOG_LINE.replace("request failed", "request failed!") in conflict
    assert LOG_LINE.replace('"routeKey"', '"route"') in conflict
    # Outside the conflict both sides are merged.
    assert LIMIT[1] in handler and REFUSALS_LINE.replace("422.", "422 (JSON).") in handler
    assert (repo / "functions/router/extra.py").read_text(encoding="utf-8") == "EXTRA = 1\n"
    assert not (repo / "events/router/delete.json").exists()
    assert (repo / "docs/RUNBOOK.md").is_file() and not (repo / "events/router/list.json").exists()


def test_resolving_the_conflict_finishes_the_update(
        v1: tuple[Path, Path], next_svc: None, capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    user_work(repo, overlapping=True)
    make_v2(template, overlapping=True)
    assert run(capsys, "update", str(repo))[0] == 1

    git(repo, "checkout", "--ours", HANDLER)
    git(repo, "rm", "--quiet", "events/router/get.json")
    git(repo, "add", HANDLER)
    git(repo, "commit", "--quiet", "--no-edit")

    assert run(capsys, "check", str(repo))[:2] == (0, "billing: current: the last template "
                                                      "commit " + git(repo, "rev-parse", "HEAD^2")
                                                      .strip()[:12] + " (svc 0.3.0) is what svc "
                                                      "0.3.0 renders\n")


def test_second_update_merges_from_the_previous_render(
        v1: tuple[Path, Path], next_svc: None, capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    user_work(repo, overlapping=False)
    make_v2(template, overlapping=False)
    code, first = update_json(capsys, repo)
    assert code == 0
    git(repo, "switch", "--quiet", "main")
    git(repo, "merge", "--quiet", "--no-ff", "--no-edit", first["branch"])
    # v3: one more template change.
    template_edit(template, "README.md", "## Layout\n", "## Layout of this repository\n")

    code, second = update_json(capsys, repo)

    assert (code, second["status"]) == (0, "updated")
    assert second["base"] == first["template_commit"]
    assert git(repo, "rev-parse", f"{second['template_commit']}^@").split() == [
        first["template_commit"]]
    assert git(repo, "merge-base", "HEAD^1", "HEAD^2").strip() == first["template_commit"]
    assert second["changed"] == [{"status": "M", "path": ".svc/answers.json"},
                                 {"status": "M", "path": "README.md"}]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "## Layout of this repository\n" in readme
    assert (repo / HANDLER).read_text(encoding="utf-8").count(LIMIT[1]) == 1


def test_an_update_that_is_already_current_changes_nothing(
        v1: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, repo = v1
    user_work(repo, overlapping=False)
    before = snapshot(repo)

    code, out, err = run(capsys, "update", str(repo))

    assert (code, err) == (0, "")
    assert out == ("billing: already current with template "
                   f"{v1[0]} (svc 0.2.0): nothing to do\n")
    assert snapshot(repo) == before


def test_in_place_merges_into_the_current_branch(
        v1: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    template_edit(template, "README.md", "## Layout\n", "## Layout (v2)\n")

    code, out, _ = run(capsys, "update", str(repo), "--in-place")

    assert code == 0
    assert out.splitlines()[0] == ("billing: updated in place on main: the template changed "
                                   "2 files")
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]
    assert "## Layout (v2)\n" in (repo / "README.md").read_text(encoding="utf-8")


def test_dry_run_prints_the_diff_and_changes_nothing(
        v1: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    template_edit(template, "README.md", "## Layout\n", "## Layout (v2)\n")
    before = snapshot(repo)
    objects = sorted(p.name for p in (repo / ".git/objects").rglob("*") if p.is_file())

    code, out, err = run(capsys, "update", str(repo), "--dry-run")

    assert (code, err) == (0, "")
    assert snapshot(repo) == before
    assert sorted(p.name for p in (repo / ".git/objects").rglob("*") if p.is_file()) == objects
    assert "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n" in out
    assert "\n-## Layout\n+## Layout (v2)\n" in out
    assert out.splitlines()[-1] == ("billing: the update would change 2 files; nothing was "
                                    "written (run without --dry-run to merge)")


def test_data_changes_an_answer_and_renders_again(
        v1: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, repo = v1

    code, _, err = run(capsys, "update", str(repo), "--data", "lifecycle=production")

    assert (code, err) == (0, "")
    assert "  lifecycle: production\n" in (repo / "catalog-info.yaml").read_text(encoding="utf-8")
    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    assert record["answers"]["lifecycle"] == "production"
    assert run(capsys, "check", str(repo))[0] == 0


def test_a_template_file_the_user_never_touched_is_removed_with_the_template(
        v1: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    template, repo = v1
    (template / PROJECT / "events/router/list.json").unlink()

    assert run(capsys, "update", str(repo))[0] == 0
    assert not (repo / "events/router/list.json").exists()


def test_the_template_ignores_none_of_its_own_files(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # svc force-adds its render to the pristine commit; svc new commits what .gitignore allows.
    # Both are the same tree only while the template's .gitignore ignores nothing it renders.
    repo = new_repo(capsys, tmp_path)
    assert git(repo, "ls-files", "--ignored", "--exclude-standard", "--cached") == ""
