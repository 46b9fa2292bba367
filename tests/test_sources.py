"""`svc lint --repos FILE`: shallow clones from local bare repos (file URLs), no network."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from svc_serverless.cli import main
from svc_serverless.errors import SvcError
from svc_serverless.linter.sources import (
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

    targets = clone_targets(repos, cache, tmp_path)
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
    again = clone_targets(repos, cache, tmp_path)
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
    targets = clone_targets(repos, tmp_path / "cache", tmp_path)
    assert [(t.display, t.error) for t in targets] == [(good, None)]
