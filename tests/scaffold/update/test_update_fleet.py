"""`svc update` over an organisation: folders of checkouts and `--repos` clones, one row each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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

LAYOUT = ("## Layout\n", "## Layout (v2)\n")


@pytest.fixture
def org(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """Seven repos in one folder, in every state a real organisation has; then template v2."""
    template = copy_template(tmp_path / "acme-template")
    org = tmp_path / "acme"
    org.mkdir()
    made = {name: new_repo(capsys, org, name, "--template", str(template))
            for name in ("alpha", "conflicted", "dirty", "unsigned")}
    edit(made["conflicted"], "README.md", *LAYOUT[:1], "## Our layout\n")
    commit_all(made["conflicted"], "ours")
    (made["dirty"] / "wip.txt").write_text("wip\n", encoding="utf-8")
    # A repo whose every commit must be signed, by a program that always fails.
    git(made["unsigned"], "config", "commit.gpgSign", "true")
    git(made["unsigned"], "config", "gpg.program", "false")
    plain = org / "plain"
    plain.mkdir()
    git(plain, "init", "--quiet")
    (plain / "README.md").write_text("not a service\n", encoding="utf-8")
    commit_all(plain, "first")
    new_repo(capsys, org, "loose", "--template", str(template), "--no-git")
    template_edit(template, "README.md", *LAYOUT)
    new_repo(capsys, org, "newest", "--template", str(template))  # already on v2
    return org, template


EXPECTED_STATUS = {
    "alpha": "updated", "conflicted": "conflicts", "dirty": "refused", "loose": "refused",
    "newest": "current", "plain": "refused", "unsigned": "failed",
}


def test_a_folder_of_repos_gives_one_row_each(org: tuple[Path, Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder, _ = org
    dirty_before = snapshot(folder / "dirty")

    code, out, err = run(capsys, "update", str(folder))

    assert (code, err) == (1, "")
    rows = out.splitlines()
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header.split() == ["repo", "result", "branch", "detail"]
    cells = {row.split()[0]: row for row in body}
    assert sorted(cells) == sorted(EXPECTED_STATUS)
    branch = git(folder / "alpha", "symbolic-ref", "--short", "HEAD").strip()
    assert cells["alpha"].split(maxsplit=3)[1:] == ["updated", branch, "template changed 2 files"]
    assert cells["newest"].split(maxsplit=3)[1:3] == ["already", "current"]
    assert cells["conflicted"].split(maxsplit=3)[1:] == ["conflicts", branch,
                                                         "conflicts in README.md"]
    assert cells["dirty"].endswith(f"{folder / 'dirty'} has uncommitted changes (1 file): commit "
                                   "or stash them (git stash -u) first")
    assert cells["plain"].endswith(f"{folder / 'plain'} was not made by svc (no "
                                   ".svc/answers.json): `svc update` works on repos made by "
                                   "`svc new`")
    assert cells["loose"].endswith(f"{folder / 'loose'} is not a git repository: svc update "
                                   "merges into git history; run `git init` and commit first")
    assert " failed " in cells["unsigned"] and "git merge failed: " in cells["unsigned"]
    assert total == ("7 repos: 1 updated, 1 already current, 1 conflicts, 3 refused, 1 failed")
    # Each repo as svc left it: alpha on its branch, the conflict left to resolve, the refused
    # and failed ones untouched.
    assert "## Layout (v2)\n" in (folder / "alpha/README.md").read_text(encoding="utf-8")
    assert (folder / "conflicted/.git/MERGE_HEAD").is_file()
    assert snapshot(folder / "dirty") == dirty_before
    assert git(folder / "unsigned", "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(folder / "unsigned", "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(folder / "unsigned", "status", "--porcelain") == ""


def test_json_has_the_same_rows(org: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder, _ = org
    paths = [str(folder / name) for name in sorted(EXPECTED_STATUS)]

    code, out, err = run(capsys, "update", *paths, "--format", "json", "--jobs", "2")

    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["svc_version"] == "0.2.0"
    assert {row["repo"]: row["status"] for row in report["repos"]} == EXPECTED_STATUS
    assert [row["repo"] for row in report["repos"]] == sorted(EXPECTED_STATUS)
    assert report["summary"] == {"updated": 1, "current": 1, "dry-run": 0, "conflicts": 1,
                                 "refused": 3, "failed": 1}
    alpha = next(row for row in report["repos"] if row["repo"] == "alpha")
    assert alpha["changed"] == [{"status": "M", "path": ".svc/answers.json"},
                                {"status": "M", "path": "README.md"}]
    assert alpha["pushed"] is False and alpha["template_commit"] == git(
        folder / "alpha", "rev-parse", "HEAD^2").strip()
    conflicted = next(row for row in report["repos"] if row["repo"] == "conflicted")
    assert conflicted["conflicts"] == ["README.md"]


def test_every_repo_current_is_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "org").mkdir()
    for name in ("one", "two", "three", "four", "five"):
        new_repo(capsys, tmp_path / "org", name)

    code, out, _ = run(capsys, "update", str(tmp_path / "org"))

    assert code == 0
    assert out.splitlines()[-1] == "5 repos: 0 updated, 5 already current, 0 conflicts, 0 refused, 0 failed"


def remote_of(repo: Path, remotes: Path) -> str:
    bare = remotes / f"{repo.name}.git"
    git(remotes, "clone", "--quiet", "--bare", str(repo), str(bare))
    return f"file://{bare}"


def test_repos_file_clones_updates_and_pushes_branches(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "acme-template")
    work = tmp_path / "work"
    work.mkdir()
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    repos = {name: new_repo(capsys, work, name, "--template", str(template))
             for name in ("billing", "orders", "clash")}
    edit(repos["clash"], "README.md", LAYOUT[0], "## Our layout\n")
    commit_all(repos["clash"], "ours")
    urls = {name: remote_of(repo, remotes) for name, repo in repos.items()}
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(f"{urls[n]}\n" for n in sorted(urls)) + "file:///nowhere.git\n",
                       encoding="utf-8")
    template_edit(template, "README.md", *LAYOUT)
    cache = tmp_path / "cache"
    mains = {name: git(remotes / f"{name}.git", "rev-parse", "main").strip() for name in urls}

    code, out, err = run(capsys, "update", "--repos", str(listing), "--push", "--cache-dir",
                         str(cache), "--format", "json")

    assert (code, err) == (1, "")
    rows = {row["repo"]: row for row in json.loads(out)["repos"]}
    assert {name: row["status"] for name, row in rows.items()} == {
        "billing": "updated", "orders": "updated", "clash": "conflicts", "nowhere": "failed"}
    assert rows["nowhere"]["detail"].startswith("cannot clone file:///nowhere.git: ")
    assert rows["clash"]["detail"] == (
        "conflicts in README.md (undone in svc's clone cache: run `svc update` in a checkout "
        "to resolve them)")
    for name in ("billing", "orders"):
        branch = rows[name]["branch"]
        assert rows[name]["pushed"] is True
        bare = remotes / f"{name}.git"
        # Pushed as a new branch; main untouched on the remote.
        assert git(bare, "rev-parse", branch).strip() == git(
            Path(rows[name]["path"]), "rev-parse", "HEAD").strip()
        assert git(bare, "rev-parse", "main").strip() == mains[name]
    clash = Path(rows["clash"]["path"])
    assert not (clash / ".git/MERGE_HEAD").exists()  # undone in svc's cache
    assert git(remotes / "clash.git", "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(clash, "status", "--porcelain") == ""

    # A second run reuses the clones: the pushed branches are pending review, nothing new.
    code, out, _ = run(capsys, "update", "--repos", str(listing), "--cache-dir", str(cache),
                       "--format", "json")
    rows = {row["repo"]: row for row in json.loads(out)["repos"]}
    assert rows["billing"]["status"] == "updated"  # main has not merged the update yet


def test_a_repos_file_conflict_row_says_where_to_resolve(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "acme-template")
    repo = new_repo(capsys, tmp_path, "clash", "--template", str(template))
    edit(repo, "README.md", LAYOUT[0], "## Our layout\n")
    commit_all(repo, "ours")
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    listing = tmp_path / "repos.txt"
    listing.write_text(remote_of(repo, remotes) + "\n", encoding="utf-8")
    template_edit(template, "README.md", *LAYOUT)

    code, out, _ = run(capsys, "update", "--repos", str(listing), "--cache-dir",
                       str(tmp_path / "cache"))

    assert code == 1
    row = out.splitlines()[1]
    assert row.split()[:3] == ["clash", "conflicts", "-"]
    assert row.endswith("conflicts in README.md (undone in svc's clone cache: run `svc update` "
                        "in a checkout to resolve them)")
