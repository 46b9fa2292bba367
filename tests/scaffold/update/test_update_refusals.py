"""Every refusal of `svc update`: exit 2, one line with the way out, the repo untouched."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from svc_serverless.scaffold.create import template_fingerprint
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

Setup = Callable[[Path, Path], tuple[Path, str]]  # (repo, tmp) -> (path to update, error)


def dirty(repo: Path, tmp: Path) -> tuple[Path, str]:
    edit(repo, "README.md", "# billing\n", "# billing (mine)\n")
    return repo, (f"{repo} has uncommitted changes (1 file): commit or stash them "
                  "(git stash -u) first")


def untracked(repo: Path, tmp: Path) -> tuple[Path, str]:
    (repo / "scratch.txt").write_text("wip\n", encoding="utf-8")
    (repo / "functions/router/wip.py").write_text("x = 1\n", encoding="utf-8")
    return repo, (f"{repo} has uncommitted changes (2 files): commit or stash them "
                  "(git stash -u) first")


def diverged(repo: Path) -> None:
    """Branches `other` and `main` that change the same line."""
    git(repo, "switch", "--quiet", "-c", "other")
    edit(repo, "README.md", "# billing\n", "# billing (other)\n")
    commit_all(repo, "other")
    git(repo, "switch", "--quiet", "main")
    edit(repo, "README.md", "# billing\n", "# billing (main)\n")
    commit_all(repo, "main")


def merging(repo: Path, tmp: Path) -> tuple[Path, str]:
    diverged(repo)
    assert subprocess.run(["git", "merge", "other"], cwd=repo, capture_output=True,
                          check=False).returncode == 1
    return repo, (f"{repo} is in the middle of a merge: finish it (git commit) or abort it "
                  "(git merge --abort) first")


def rebasing(repo: Path, tmp: Path) -> tuple[Path, str]:
    diverged(repo)
    git(repo, "switch", "--quiet", "other")
    assert subprocess.run(["git", "rebase", "main"], cwd=repo, capture_output=True,
                          check=False).returncode != 0
    return repo, (f"{repo} is in the middle of a rebase: finish it (git rebase --continue) or "
                  "abort it (git rebase --abort) first")


def shallow(repo: Path, tmp: Path) -> tuple[Path, str]:
    edit(repo, "README.md", "# billing\n", "# billing (2)\n")
    commit_all(repo, "second")
    clone = tmp / "shallow"
    git(tmp, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone))
    return clone, (f"{clone} is a shallow clone without svc's template commit: run "
                   "`git fetch --unshallow` first")


def not_svc(repo: Path, tmp: Path) -> tuple[Path, str]:
    plain = tmp / "plain"
    plain.mkdir()
    git(plain, "init", "--quiet")
    (plain / "README.md").write_text("hi\n", encoding="utf-8")
    commit_all(plain, "first")
    return plain, (f"{plain} was not made by svc (no .svc/answers.json): `svc update` works on "
                   "repos made by `svc new`")


def not_git(repo: Path, tmp: Path) -> tuple[Path, str]:
    folder = tmp / "loose"
    folder.mkdir()
    (folder / "notes.txt").write_text("x\n", encoding="utf-8")
    return folder / "notes.txt", (f"{folder / 'notes.txt'} is not in a git repository: run this "
                                  "inside a service repo made by `svc new`")


def detached(repo: Path, tmp: Path) -> tuple[Path, str]:
    git(repo, "switch", "--quiet", "--detach", "HEAD")
    return repo, (f"{repo} has no branch checked out (detached HEAD): check out a branch first")


def no_base(repo: Path, tmp: Path) -> tuple[Path, str]:
    # History rewritten by hand: a first commit of its own, then svc's files.
    fresh = tmp / "rewritten"
    fresh.mkdir()
    git(fresh, "init", "--quiet")
    (fresh / "LICENSE").write_text("mine\n", encoding="utf-8")
    commit_all(fresh, "license")
    for path in repo.rglob("*"):
        if ".git" not in path.relative_to(repo).parts and path.is_file():
            target = fresh / path.relative_to(repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    commit_all(fresh, "svc files")
    root = git(fresh, "rev-list", "--max-parents=0", "HEAD").strip()
    return fresh, (f"{fresh} has no svc template commit in its history, and its root commit "
                   f"{root[:12]} has no .svc/answers.json: pass the commit that holds svc's "
                   "unmodified render with `svc update --base COMMIT`")


def newer(repo: Path, tmp: Path) -> tuple[Path, str]:
    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    record["svc_version"] = "1.4.0"
    (repo / ".svc/answers.json").write_text(json.dumps(record), encoding="utf-8")
    commit_all(repo, "from the future")
    return repo, (f"{repo} was rendered by svc 1.4.0, newer than this svc 0.2.0: upgrade svc "
                  "first")


def branch_exists(repo: Path, tmp: Path) -> tuple[Path, str]:
    template = tmp / "org-template"
    template_edit(template, "README.md", "## Layout\n", "## Layout (v2)\n")
    name = "svc/update-0.2.0-" + template_fingerprint(template).rpartition(":")[2][:10]
    git(repo, "branch", name)
    return repo, (f"branch {name} already exists in {repo}: merge it, or delete it (git branch "
                  f"-D {name}) and run svc update again")


CASES: dict[str, Setup] = {
    "dirty": dirty, "untracked": untracked, "merging": merging, "rebasing": rebasing,
    "shallow": shallow, "not-svc": not_svc, "not-git": not_git, "detached": detached,
    "no-base": no_base, "newer": newer, "branch-exists": branch_exists,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refusal_is_one_line_exit_2_and_changes_nothing(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "org-template")
    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template))
    target, error = CASES[case](repo, tmp_path)
    capsys.readouterr()
    folder = target if target.is_dir() else target.parent
    before = snapshot(folder) if (folder / ".git").exists() else None

    code, out, err = run(capsys, "update", str(target))

    assert (code, out, err) == (2, "", f"svc: error: {error}\n")
    if before is not None:
        assert snapshot(folder) == before


def test_a_shallow_clone_that_holds_the_base_is_updated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "org-template")
    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template))
    edit(repo, "README.md", "# billing\n", "# billing (2)\n")
    commit_all(repo, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "2", f"file://{repo}", str(clone))
    template_edit(template, "README.md", "## Layout\n", "## Layout (v2)\n")

    code, _, err = run(capsys, "update", str(clone))

    assert (code, err) == (0, "")
    readme = (clone / "README.md").read_text(encoding="utf-8")
    assert "# billing (2)\n" in readme and "## Layout (v2)\n" in readme


def test_push_with_in_place_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    assert run(capsys, "update", str(repo), "--in-place", "--push") == (
        2, "", "svc: error: --push pushes svc's update branch and --in-place makes none: drop one\n")
