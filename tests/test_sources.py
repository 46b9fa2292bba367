"""`svc lint --repos FILE`: shallow clones from local bare repos (file URLs), no network.

A cached clone is never trusted, and concurrent runs share one clone cache.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import git
import pytest

from svc_serverless.cli import main
from svc_serverless.errors import SvcError
from svc_serverless.linter.sources import (
    CLONE_CONFIG,
    RepoSource,
    clone_targets,
    parse_repos_file,
    repo_folder_name,
)

TEMPLATE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def make_bare(tmp_path: Path, name: str, files: dict[str, str], branch: str = "main") -> str:
    work = tmp_path / "work" / name
    work.mkdir(parents=True)
    repo = git.Repo.init(work, initial_branch=branch)
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    repo.index.add(list(files))
    actor = git.Actor("t", "t@example.com")
    repo.index.commit("init", author=actor, committer=actor)
    bare = tmp_path / "remotes" / f"{name}.git"
    git.Repo.clone_from(str(work), str(bare), bare=True)
    return bare.as_uri()


def test_parse_plain_and_yaml_lists(tmp_path: Path) -> None:
    plain = tmp_path / "repos.txt"
    plain.write_text("# org\nfile:///a.git\n\nfile:///b.git release  # pinned\n", encoding="utf-8")
    assert parse_repos_file(plain) == [RepoSource("file:///a.git"), RepoSource("file:///b.git", "release")]
    listed = tmp_path / "repos.yaml"
    listed.write_text("repos:\n  - file:///a.git\n  - url: file:///b.git\n    branch: dev\n", encoding="utf-8")
    assert parse_repos_file(listed) == [RepoSource("file:///a.git"), RepoSource("file:///b.git", "dev")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--upload-pack=evil\n", "'--upload-pack=evil' is not a git URL"),
        ("file:///a.git --evil\n", "'--evil' is not a branch name"),
        ("repos: 3\n", "expected a list of repos under `repos:`"),
        ("repos:\n  - {branch: x}\n", "each repo must be a URL or a mapping with `url`"),
    ],
)
def test_bad_repos_files_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "repos.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SvcError, match=message):
        parse_repos_file(path)


def test_folder_names_are_readable_and_distinct() -> None:
    a = repo_folder_name("https://github.com/acme/billing.git")
    b = repo_folder_name("https://gitlab.com/acme/billing.git")
    assert a.startswith("billing-") and b.startswith("billing-") and a != b


def test_clones_then_updates_and_reports_unreachable(tmp_path: Path) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    other = make_bare(tmp_path, "orders", {"template.yaml": TEMPLATE}, branch="release")
    notemplate = make_bare(tmp_path, "docs", {"README.md": "hi\n"})
    missing = (tmp_path / "remotes" / "nope.git").as_uri()
    repos = tmp_path / "repos.txt"
    repos.write_text(f"{good}\n{other} release\n{notemplate}\n{missing}\n", encoding="utf-8")
    cache = tmp_path / "cache"

    targets = clone_targets(repos, cache)
    assert [t.display for t in targets] == [good, f"{other}@release", notemplate, missing]
    assert [t.error is None for t in targets] == [True, True, False, False]
    assert targets[2].error == f"no template.yaml at the root of {notemplate}"
    assert targets[3].error is not None and targets[3].error.startswith(f"cannot clone {missing}: fatal:")
    assert (targets[0].root / "template.yaml").read_text(encoding="utf-8") == TEMPLATE

    # A later run fetches the new tip into the same clone.
    work = git.Repo(tmp_path / "work" / "billing")
    (tmp_path / "work" / "billing" / "template.yaml").write_text(TEMPLATE + "# v2\n", encoding="utf-8")
    work.index.add(["template.yaml"])
    actor = git.Actor("t", "t@example.com")
    work.index.commit("v2", author=actor, committer=actor)
    work.git.push(good, "main")
    again = clone_targets(repos, cache)
    assert again[0].root == targets[0].root
    assert (again[0].root / "template.yaml").read_text(encoding="utf-8").endswith("# v2\n")


def test_lint_repos_lists_unreachable_repo_and_lints_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    missing = (tmp_path / "remotes" / "nope.git").as_uri()
    repos = tmp_path / "repos.txt"
    repos.write_text(f"{good}\n{missing}\n", encoding="utf-8")
    import json

    code = main(["lint", "--repos", str(repos), "--cache-dir", str(tmp_path / "c"), "-f", "json",
                 "--select", "SVC"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # the unreachable repo was not checked: the gate fails
    assert [(r["path"], r["error"] is None) for r in report["repos"]] == [(good, True), (missing, False)]
    assert report["summary"]["unreadable"] == 1


def test_a_url_listed_twice_is_cloned_once(tmp_path: Path) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    repos = tmp_path / "repos.txt"
    repos.write_text(f"{good}\n{good}\n", encoding="utf-8")
    targets = clone_targets(repos, tmp_path / "cache")
    assert [(t.display, t.error) for t in targets] == [(good, None)]


def commit(tmp_path: Path, name: str, files: dict[str, str], branch: str = "main") -> None:
    """A new commit on the work repo `name`, pushed to its bare remote."""
    work = tmp_path / "work" / name
    repo = git.Repo(work)
    for rel, text in files.items():
        (work / rel).write_text(text, encoding="utf-8")
    repo.index.add(list(files))
    actor = git.Actor("t", "t@example.com")
    repo.index.commit("next", author=actor, committer=actor)
    repo.git.push(str(tmp_path / "remotes" / f"{name}.git"), branch)


def repos_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "repos.txt"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_a_cached_clone_is_never_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    evil = make_bare(tmp_path, "evil", {"template.yaml": "Resources: {}\n"})
    repos = repos_file(tmp_path, good)
    cache = tmp_path / "cache"
    [first] = clone_targets(repos, cache)
    assert first.error is None
    # Everything a clone's git folder could use to run a command or lie about the repo.
    marker = tmp_path / "ran"
    script = tmp_path / "payload.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexec git-upload-pack \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "reference-transaction", "pre-auto-gc", "post-merge", "post-index-change"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
        (hooks / hook).chmod(0o755)
        (first.root / ".git" / "hooks").mkdir(exist_ok=True)
        (first.root / ".git" / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
        (first.root / ".git" / "hooks" / hook).chmod(0o755)
    included = tmp_path / "included.config"
    included.write_text(f"[core]\n\tpager = {script}\n", encoding="utf-8")
    with (first.root / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(
            f"[core]\n\tfsmonitor = {script}\n\thooksPath = {hooks}\n\tsshCommand = {script}\n"
            f"[remote \"origin\"]\n\turl = {evil}\n\tuploadpack = {script}\n"
            f"[include]\n\tpath = {included}\n"
        )
    commit(tmp_path, "billing", {"template.yaml": TEMPLATE + "# v2\n"})
    [again] = clone_targets(repos, cache)
    assert again.error is None and again.root == first.root
    assert not marker.exists()
    assert (again.root / "template.yaml").read_text(encoding="utf-8") == TEMPLATE + "# v2\n"
    assert (again.root / ".git" / "config").read_bytes() == CLONE_CONFIG
    assert not (again.root / ".git" / "hooks").exists()


def test_an_untracked_file_planted_in_a_clone_is_removed(tmp_path: Path) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    repos = repos_file(tmp_path, good)
    [first] = clone_targets(repos, tmp_path / "cache")
    (first.root / "template.yml").write_text("Resources: {}\n", encoding="utf-8")
    (first.root / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    [again] = clone_targets(repos, tmp_path / "cache")
    assert sorted(p.name for p in again.root.iterdir()) == [".git", "template.yaml"]
    assert (again.root / "template.yaml").read_text(encoding="utf-8") == TEMPLATE


def test_git_location_variables_of_the_caller_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # As inside a git hook of another repo.
    monkeypatch.setenv("GIT_DIR", str(elsewhere))
    monkeypatch.setenv("GIT_INDEX_FILE", str(elsewhere / "index"))
    monkeypatch.setenv("GIT_WORK_TREE", str(elsewhere))
    [target] = clone_targets(repos_file(tmp_path, good), tmp_path / "cache")
    assert target.error is None
    assert (target.root / "template.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert list(elsewhere.iterdir()) == []


def test_concurrent_runs_share_one_clone_cache(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    urls = [make_bare(tmp_path, f"svc-{i}", {"template.yaml": TEMPLATE}) for i in range(3)]
    repos = repos_file(tmp_path, *urls)
    cache = tmp_path / "cache"
    for _ in range(2):  # fresh clones, then updates of the same clones
        with ThreadPoolExecutor(max_workers=4) as pool:
            runs = list(pool.map(lambda _: clone_targets(repos, cache), range(4)))
        assert [[(t.display, t.error) for t in run] for run in runs] == [[(u, None) for u in urls]] * 4
    assert sorted(p.name for p in (cache / "clones").iterdir() if not p.name.endswith(".lock")) == sorted(
        repo_folder_name(u) for u in urls
    )


def test_stale_git_locks_and_half_made_clones_are_recovered(tmp_path: Path) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    other = make_bare(tmp_path, "orders", {"template.yaml": TEMPLATE})
    repos = repos_file(tmp_path, good, other)
    cache = tmp_path / "cache"
    clones = cache / "clones"
    first = clone_targets(repos, cache)
    # A run killed mid-update left git's locks in the billing clone ...
    for lock in ("index.lock", "shallow.lock", "HEAD.lock"):
        (first[0].root / ".git" / lock).write_text("", encoding="utf-8")
    # ... and one killed mid-clone left a half-made orders clone and its temporary folder.
    shutil.rmtree(first[1].root / ".git")
    leftover = clones / f".{first[1].root.name}.k1ll3d"
    (leftover / ".git").mkdir(parents=True)
    commit(tmp_path, "billing", {"template.yaml": TEMPLATE + "# v2\n"})
    again = clone_targets(repos, cache)
    assert [(t.error, t.root) for t in again] == [(None, first[0].root), (None, first[1].root)]
    assert (again[0].root / "template.yaml").read_text(encoding="utf-8").endswith("# v2\n")
    assert (again[1].root / "template.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert not leftover.exists()
    assert not list((again[0].root / ".git").glob("*.lock"))


def test_a_clone_held_by_another_run_is_a_per_repo_error_after_a_bounded_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from svc_serverless.linter import cache as cache_module

    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    other = make_bare(tmp_path, "orders", {"template.yaml": TEMPLATE})
    repos = repos_file(tmp_path, good, other)
    cache = tmp_path / "cache"
    clone_targets(repos, cache)
    monkeypatch.setattr(cache_module, "LOCK_WAIT", 0.3)
    lock = cache / "clones" / f"{repo_folder_name(good)}.lock"
    with cache_module.locked(lock):
        targets = clone_targets(repos, cache)
    assert [(t.display, t.error) for t in targets] == [
        (good, f"cannot clone {good}: {lock} is held by another svc run; try again when it has finished"),
        (other, None),
    ]


def test_two_branches_of_one_repo_are_two_clones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    work = git.Repo(tmp_path / "work" / "billing")
    work.git.checkout("-b", "dev")
    commit(tmp_path, "billing", {"template.yaml": "Resources:\n  T:\n    Type: A\n    Type: B\n"}, branch="dev")
    repos = repos_file(tmp_path, f"{url} main", f"{url} dev")
    import json

    code = main(["lint", "--repos", str(repos), "--cache-dir", str(tmp_path / "c"), "-f", "json",
                 "--select", "SVC", "-j", "1"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(r["name"], r["path"], r["findings"]) for r in report["repos"]] == [
        (f"{url}@main", f"{url}@main", 0), (f"{url}@dev", f"{url}@dev", 1),
    ]


def test_no_cache_clones_into_a_temporary_folder_removed_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tempfile

    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    code = main(["lint", "--repos", str(repos_file(tmp_path, good)), "--no-cache",
                 "--cache-dir", str(tmp_path / "c"), "--select", "SVC"])
    assert code == 0
    assert "0 errors, 0 warnings, 0 info in 1 repo" in capsys.readouterr().out
    assert not (tmp_path / "c").exists()
    assert list(temporary.iterdir()) == []


def test_the_cache_folder_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    repos = str(repos_file(tmp_path, good))
    cache = tmp_path / "cache"
    assert main(["lint", "--repos", repos, "--cache-dir", str(cache), "--select", "SVC"]) == 0
    assert [oct(p.stat().st_mode & 0o777) for p in (cache, cache / "clones")] == ["0o700", "0o700"]
    capsys.readouterr()

    cache.chmod(0o770)
    assert main(["lint", "--repos", repos, "--cache-dir", str(cache), "--select", "SVC"]) == 2
    assert capsys.readouterr().err == (
        f"svc: error: cache folder {cache} can be written by other users (mode 770): run "
        f"`chmod go-w {cache}` or use --cache-dir DIR with a folder only you can write\n"
    )
    cache.chmod(0o700)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    assert main(["lint", "--repos", repos, "--cache-dir", str(cache), "--select", "SVC"]) == 2
    assert capsys.readouterr().err == (
        f"svc: error: cache folder {cache} belongs to another user: "
        "use --cache-dir DIR with a folder only you can write\n"
    )


def test_a_link_planted_at_a_clone_lock_is_not_followed(tmp_path: Path) -> None:
    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    clones = tmp_path / "cache" / "clones"
    clones.mkdir(parents=True, mode=0o700)
    (tmp_path / "cache").chmod(0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    victim.chmod(0o644)
    lock = clones / f"{repo_folder_name(good)}.lock"
    lock.symlink_to(victim)
    [target] = clone_targets(repos_file(tmp_path, good), tmp_path / "cache")
    assert target.error is None
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert oct(victim.stat().st_mode & 0o777) == "0o644"
    assert not lock.is_symlink()


def test_a_clone_is_linted_under_a_shared_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from svc_serverless.linter import cache as cache_module
    from svc_serverless.linter.config import Policy
    from svc_serverless.linter.run import _Job, lint_job

    good = make_bare(tmp_path, "billing", {"template.yaml": TEMPLATE})
    [target] = clone_targets(repos_file(tmp_path, good), tmp_path / "cache")
    assert target.lock is not None
    job = _Job(target, Policy(), ("SVC",), (), False)
    with cache_module.locked(target.lock, shared=True):  # another run reading it: no wait
        assert lint_job(job).error is None
    monkeypatch.setattr(cache_module, "LOCK_WAIT", 0.2)
    with cache_module.locked(target.lock):  # another run fetching into it
        result = lint_job(job)
    assert result.error == (f"cannot read the clone of {good}: {target.lock} is held by another "
                            "svc run; try again when it has finished")
