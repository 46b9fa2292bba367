"""Helpers for the `svc update` / `svc check` tests: templates that change, real git repos."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.scaffold.create import TEMPLATE_DIR

PROJECT = "{{cookiecutter.service_name}}"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


def copy_template(dest: Path) -> Path:
    shutil.copytree(TEMPLATE_DIR, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def edit(root: Path, relative: str, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) with `new` in one file."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def template_edit(template: Path, relative: str, old: str, new: str) -> None:
    edit(template / PROJECT, relative, old, new)


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def new_repo(capsys: pytest.CaptureFixture[str], where: Path, name: str = "billing",
             *options: str) -> Path:
    code, _, err = run(capsys, "new", name, "--owner", "team-x", "-o", str(where), *options)
    assert (code, err) == (0, "")
    return where / name


def tree_files(repo: Path, rev: str = "HEAD") -> dict[str, bytes]:
    """Every file of a commit: path -> content."""
    listing = git(repo, "ls-tree", "-r", "-z", "--name-only", rev).split("\x00")
    return {path: subprocess.run(["git", "cat-file", "blob", f"{rev}:{path}"], cwd=repo,
                                 capture_output=True, check=True).stdout
            for path in listing if path}


def work_files(repo: Path) -> dict[str, bytes]:
    found = {}
    for folder, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if not (folder == str(repo) and d == ".git")]
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(repo).as_posix()] = path.read_bytes()
    return found


def snapshot(repo: Path) -> tuple[str, str, str, str]:
    """The repo as a user sees it: every file's hash, `git status`, HEAD and every ref."""
    digest = hashlib.sha256()
    for path, content in sorted(work_files(repo).items()):
        digest.update(path.encode() + b"\x00" + hashlib.sha256(content).digest())
    return (digest.hexdigest(), git(repo, "status", "--porcelain", "--untracked-files=all"),
            git(repo, "rev-parse", "HEAD").strip(),
            git(repo, "for-each-ref", "--format=%(refname) %(objectname)"))


def answers(repo: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    return data
