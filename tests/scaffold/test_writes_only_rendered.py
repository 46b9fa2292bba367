"""`svc new` writes only what it rendered, and commits only what the generated .gitignore keeps.

`pip install` byte-compiles the template's .py files inside the installed package, so an
installed svc's template folder holds `__pycache__/*.pyc` (with the installer's paths in
them): none of it may reach a generated repo or its first commit.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest

from svc_serverless.scaffold import create
from svc_serverless.scaffold.create import (
    NewRequest,
    is_debris,
    load_template,
    new_service,
    template_files,
    template_fingerprint,
)
from tests.scaffold.conftest import Combo, files, listing
from tests.scaffold.test_generated import expected_files

PROJECT = "{{cookiecutter.service_name}}"
INSTALLER_PATH = b"/home/builder/.local/pipx/venvs/svc/lib/python3.13/site-packages"
# Where pip puts byte-code for the template's .py files, plus what other tools leave behind.
DEBRIS = (
    f"{PROJECT}/functions/router/__pycache__/handler.cpython-313.pyc",
    f"{PROJECT}/functions/receiver/tests/__pycache__/test_receiver.cpython-313.pyc",
    f"{PROJECT}/layers/domain/{{{{cookiecutter.__domain_package}}}}/__pycache__/service.cpython-313.pyc",
    f"{PROJECT}/__pycache__/conftest.cpython-313.pyc",
    f"{PROJECT}/.DS_Store",
    f"{PROJECT}/README.md~",
    f"{PROJECT}/functions/router/handler.pyc",
    f"{PROJECT}/.pytest_cache/v/cache/nodeids",
)
# Rendered (not debris), but the generated .gitignore ignores it (`.env.*`).
IGNORED = ".env.sample"


@pytest.fixture
def dirty_template(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the template as an installed svc has it, plus one file .gitignore ignores."""
    root = tmp_path_factory.mktemp("installed") / "template"
    shutil.copytree(load_template().root, root)
    for relative in DEBRIS:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # Byte-code holds the installer's path; a text leftover with Jinja syntax would even
        # break the render if cookiecutter were given it.
        path.write_bytes(b"\x00\xcb\r\r" + INSTALLER_PATH if path.suffix == ".pyc"
                         else b"{{ not a template " + INSTALLER_PATH)
    (root / PROJECT / IGNORED).write_text("TABLE_NAME=\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("runtime", ["python3.13", "nodejs22.x"])
def test_debris_never_reaches_the_repo_or_the_commit(runtime: str, dirty_template: Path,
                                                     tmp_path: Path, isolated_home: Path) -> None:
    import git

    repo_path = new_service(NewRequest(name="order-history", owner="team-orders", runtime=runtime,
                                       output_dir=tmp_path, template=str(dirty_template)))

    rendered = {path for path in files(repo_path) if not path.startswith(".git/")}
    assert rendered == expected_files(Combo(runtime, "github", True)) | {IGNORED}
    with git.Repo(repo_path) as repo:
        committed = {item.path for item in repo.head.commit.tree.traverse()
                     if item.type == "blob"}
        # What the generated .gitignore ignores, asked of git itself (the test's HOME has no
        # global excludes file).
        ignored = set(repo.git.check_ignore(*sorted(rendered), with_exceptions=False).split())
        assert repo.is_dirty(untracked_files=True) is False
    assert ignored == {IGNORED}
    assert committed == rendered - ignored
    for path in rendered:
        assert INSTALLER_PATH not in (repo_path / path).read_bytes(), path


def test_a_template_that_cannot_be_linked_is_copied(dirty_template: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The template is hard-linked for cookiecutter where it can be; an installed svc on
    # another file system (or a root-owned one, fs.protected_hardlinks) is copied instead.
    refused: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        refused.append(args)
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(create.os, "link", refuse)
    repo_path = new_service(NewRequest(name="order-history", owner="team-orders", output_dir=tmp_path,
                                       git=False, template=str(dirty_template)))

    assert files(repo_path) == expected_files(Combo("python3.13", "github", True)) | {IGNORED}
    assert [path for path in listing(tmp_path) if "/" not in path] == ["order-history"]
    assert len(refused) > 50  # every template file was offered for linking, then copied


def test_debris_does_not_change_the_fingerprint(dirty_template: Path, tmp_path: Path) -> None:
    (dirty_template / PROJECT / IGNORED).unlink()
    clean = load_template().root

    assert template_fingerprint(dirty_template) == template_fingerprint(clean)
    assert template_files(dirty_template) == template_files(clean)


@pytest.mark.parametrize("path,debris", [
    ("a/__pycache__/x.cpython-313.pyc", True), ("a/x.pyc", True), ("x.pyo", True),
    (".DS_Store", True), ("a/.DS_Store", True), ("Thumbs.db", True), ("a/.x.swp", True),
    ("README.md~", True), (".mypy_cache/3.13/x.json", True), (".ruff_cache/x", True),
    ("a/handler.py", False), (".gitignore", False), (".github/workflows/ci.yml", False),
    (".env.sample", False), ("pycache/x.py", False), ("a/__pycache__", False),
])
def test_what_counts_as_debris(path: str, debris: bool) -> None:
    assert is_debris(PurePosixPath(path)) is debris


def test_a_global_gitignore_does_not_leave_a_generated_file_out(tmp_path: Path,
                                                                isolated_home: Path) -> None:
    import git

    (isolated_home / ".gitignore_global").write_text("*.md\n*.yaml\n.github/\n", encoding="utf-8")
    (isolated_home / ".gitconfig").write_text(
        f"[core]\n\texcludesFile = {isolated_home / '.gitignore_global'}\n", encoding="utf-8")

    repo_path = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path))

    with git.Repo(repo_path) as repo:
        committed = {item.path for item in repo.head.commit.tree.traverse()
                     if item.type == "blob"}
    assert committed == {p for p in files(repo_path) if not p.startswith(".git/")}
    assert {"README.md", "template.yaml", ".github/workflows/ci.yml"} <= committed
