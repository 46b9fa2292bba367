"""An organisation's own template: a folder or a git URL@REF, recorded, reused, checked first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svc_serverless.errors import SvcError
from svc_serverless.scaffold.templates import Source, parse_source
from tests.scaffold.conftest import listing
from tests.scaffold.update.helpers import (
    PROJECT,
    answers,
    commit_all,
    copy_template,
    edit,
    git,
    new_repo,
    run,
    template_edit,
)


def template_repo(tmp_path: Path) -> Path:
    """A git repo holding the template: tag v1, then tag v2 (README line), main at v2."""
    repo = copy_template(tmp_path / "tpl-repo")
    git(repo, "init", "--quiet")
    commit_all(repo, "v1")
    git(repo, "tag", "v1")
    template_edit(repo, "README.md", "## Layout\n", "## Layout (v2)\n")
    commit_all(repo, "v2")
    git(repo, "tag", "v2")
    return repo


def sha(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}^{{commit}}").strip()


def test_a_folder_template_is_rendered_and_recorded(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "tpl")
    template_edit(template, "README.md", "## Layout\n", "## Layout (acme)\n")

    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template))

    assert "## Layout (acme)\n" in (repo / "README.md").read_text(encoding="utf-8")
    assert answers(repo)["template"] == {"source": str(template), "ref": None, "commit": None}
    assert run(capsys, "check", str(repo))[0] == 0


def test_a_git_template_at_a_ref_is_recorded_and_updated_from_the_same_ref(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = template_repo(tmp_path)
    url = f"file://{source}"

    repo = new_repo(capsys, tmp_path, "billing", "--template", f"{url}@v1")

    assert answers(repo)["template"] == {"source": url, "ref": "v1", "commit": sha(source, "v1")}
    assert "## Layout (v2)" not in (repo / "README.md").read_text(encoding="utf-8")
    # v1 is a tag: it does not move, so an update is a no-op.
    assert run(capsys, "update", str(repo))[:2] == (
        0, (f"billing: already current with template {url}@v1 ({sha(source, 'v1')[:12]}) "
           "(svc 0.2.0): nothing to do\n"))

    code, _, err = run(capsys, "update", str(repo), "--ref", "v2")

    assert (code, err) == (0, "")
    assert "## Layout (v2)\n" in (repo / "README.md").read_text(encoding="utf-8")
    assert answers(repo)["template"] == {"source": url, "ref": "v2", "commit": sha(source, "v2")}
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == (
        f"svc/update-0.2.0-{sha(source, 'v2')[:10]}")


def test_a_branch_moves_on_and_svc_update_follows_it(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = template_repo(tmp_path)
    url = f"file://{source}"
    repo = new_repo(capsys, tmp_path, "billing", "--template", f"{url}@main")
    template_edit(source, "README.md", "## Layout (v2)\n", "## Layout (v3)\n")
    commit_all(source, "v3")

    code, _, _ = run(capsys, "update", str(repo), "--in-place")

    assert code == 0
    assert "## Layout (v3)\n" in (repo / "README.md").read_text(encoding="utf-8")
    assert answers(repo)["template"] == {"source": url, "ref": "main", "commit": sha(source, "main")}


def test_without_a_ref_the_remote_head_is_used(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    source = template_repo(tmp_path)

    repo = new_repo(capsys, tmp_path, "billing", "--template", f"file://{source}")

    assert answers(repo)["template"] == {"source": f"file://{source}", "ref": None,
                                         "commit": sha(source, "HEAD")}


def test_check_renders_a_git_template_from_the_cache_without_network(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = template_repo(tmp_path)
    repo = new_repo(capsys, tmp_path, "billing", "--template", f"file://{source}@v2")
    shutil.rmtree(source)  # the "network" is gone

    assert run(capsys, "check", str(repo))[0] == 0
    code, out, err = run(capsys, "check", str(repo), "--cache-dir", str(tmp_path / "empty"))
    assert (code, out) == (2, "")
    assert err == (f"svc: error: template file://{source} is not in the cache "
                   f"({tmp_path / 'empty' / 'templates'}): `svc check` never fetches; run "
                   "`svc update` once, or pass --cache-dir\n")


def test_update_can_switch_a_repo_to_the_organisation_template(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    template = copy_template(tmp_path / "acme")
    template_edit(template, "README.md", "## Layout\n", "## Layout (acme)\n")

    assert run(capsys, "update", str(repo), "--template", str(template))[0] == 0

    assert "## Layout (acme)\n" in (repo / "README.md").read_text(encoding="utf-8")
    assert answers(repo)["template"]["source"] == str(template)


def test_the_policy_names_the_default_template(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "policy" / "templates" / "service")
    template_edit(template, "README.md", "## Layout\n", "## Layout (policy)\n")
    policy = tmp_path / "policy" / "svc.yaml"
    policy.write_text("version: 1\nscaffold:\n  template: templates/service\n", encoding="utf-8")
    other = copy_template(tmp_path / "other")

    by_policy = new_repo(capsys, tmp_path, "billing", "--config", str(policy))
    explicit = new_repo(capsys, tmp_path, "orders", "--config", str(policy),
                        "--template", str(other))

    assert "## Layout (policy)\n" in (by_policy / "README.md").read_text(encoding="utf-8")
    assert answers(by_policy)["template"]["source"] == str(template)
    assert answers(explicit)["template"]["source"] == str(other)


def break_template(template: Path, how: str) -> str:
    """Make `template` unusable; the error svc must give."""
    if how == "hooks":
        (template / "hooks").mkdir()
        (template / "hooks/post_gen_project.py").write_text("import os\n", encoding="utf-8")
        return (f"template {template} has hooks/: svc never runs template code; remove the hooks "
                "(svc does its post-steps itself)")
    if how == "extensions":
        edit(template, "cookiecutter.json", '"service_name": "my-service",',
             '"_extensions": ["evil.Ext"], "service_name": "my-service",')
        return (f"template {template} loads Jinja extensions (_extensions): svc never runs "
                "template code; remove them")
    if how == "no-config":
        (template / "cookiecutter.json").unlink()
        return f"template {template} has no cookiecutter.json: it is not a cookiecutter template"
    if how == "missing-variable":
        edit(template, "cookiecutter.json", '"workflow": true,', "")
        return (f"template {template}: cookiecutter.json must declare 'workflow' as a boolean "
                "(svc's own answers rely on it)")
    if how == "symlink":
        (template / PROJECT / "passwd").symlink_to("/etc/passwd")
        return (f"template {template} contains a symbolic link ({PROJECT}/passwd): svc does not "
                "follow links in templates")
    (template / "cookiecutter.json").write_text("{not json", encoding="utf-8")
    return f"template {template}: cookiecutter.json is not valid JSON"


@pytest.mark.parametrize("how", ["hooks", "extensions", "no-config", "missing-variable",
                                 "symlink", "bad-json"])
def test_a_template_svc_will_not_render_is_refused_before_anything_is_written(
        how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "tpl")
    error = break_template(template, how)
    out = tmp_path / "out"
    out.mkdir()

    code, stdout, err = run(capsys, "new", "billing", "--owner", "team-x", "-o", str(out),
                            "--template", str(template))

    assert (code, stdout, err) == (2, "", f"svc: error: {error}\n")
    assert listing(out) == []


def test_update_refuses_a_template_that_gained_hooks(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "tpl")
    repo = new_repo(capsys, tmp_path, "billing", "--template", str(template))
    error = break_template(template, "hooks")

    assert run(capsys, "update", str(repo)) == (2, "", f"svc: error: {error}\n")
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]


@pytest.mark.parametrize("text,expected", [
    ("https://git.example.com/acme/tpl.git", Source("git", "https://git.example.com/acme/tpl.git")),
    ("https://git.example.com/acme/tpl.git@v2.1", Source("git", "https://git.example.com/acme/tpl.git", "v2.1")),
    ("https://git.example.com/acme/tpl.git@release/2", Source("git", "https://git.example.com/acme/tpl.git", "release/2")),
    ("git@github.com:acme/tpl.git", Source("git", "git@github.com:acme/tpl.git")),
    ("git@github.com:acme/tpl.git@v3", Source("git", "git@github.com:acme/tpl.git", "v3")),
    ("ssh://git@host/acme/tpl.git@main", Source("git", "ssh://git@host/acme/tpl.git", "main")),
    ("file:///srv/tpl@1.0.0", Source("git", "file:///srv/tpl", "1.0.0")),
    ("bundled", Source("bundled", "bundled")),
])
def test_template_sources_parse(text: str, expected: Source) -> None:
    assert parse_source(text, Path("/base")) == expected


def test_a_relative_folder_is_resolved_against_the_base(tmp_path: Path) -> None:
    assert parse_source("tpl", tmp_path) == Source("folder", str(tmp_path / "tpl"))


@pytest.mark.parametrize("text,error", [
    ("https://bot:s3cret@git.example.com/tpl.git", "a template URL must not carry credentials"),
    ("https://ghp_token@git.example.com/tpl.git", "a template URL must not carry credentials"),
    ("https://git.example.com/tpl.git@-x", "invalid template ref '-x'"),
    ("https://git.example.com/tpl.git@a..b", "invalid template ref 'a..b'"),
    ("--upload-pack=evil", "invalid template '--upload-pack=evil'"),
    ("ext::sh -c evil", "invalid template URL"),
])
def test_bad_template_sources_are_refused(text: str, error: str) -> None:
    with pytest.raises(SvcError, match="^" + error.replace(".", r"\.").replace("(", r"\(")):
        parse_source(text, Path("/base"))


def test_a_ref_is_only_for_git_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(capsys, tmp_path)
    assert run(capsys, "update", str(repo), "--ref", "v2") == (
        2, "", ("svc: error: --ref needs a template from a git URL, and this repo uses the bundled "
               "template: pass --template URL@REF instead\n"))


def test_an_unknown_ref_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = template_repo(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, "new", "billing", "--owner", "team-x", "-o", str(out),
                       "--template", f"file://{source}@v9")
    assert code == 2
    assert err == (f"svc: error: template file://{source}@v9: v9 is not a branch, tag or commit "
                   "in the remote: pick another with --ref\n")
    assert listing(out) == []


def test_recorded_answers_follow_the_git_template(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = template_repo(tmp_path)
    repo = new_repo(capsys, tmp_path, "billing", "--template", f"file://{source}@v1")
    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))
    assert list(record) == ["svc_version", "template_fingerprint", "template", "answers"]


def test_template_code_cannot_reach_python(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = copy_template(tmp_path / "tpl")
    marker = tmp_path / "pwned"
    (template / PROJECT / "evil.txt").write_text(
        "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}\n",
        encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()

    code, stdout, err = run(capsys, "new", "billing", "--owner", "team-x", "-o", str(out),
                            "--template", str(template))

    assert (code, stdout) == (2, "")
    assert err.startswith("svc: error: the template reaches for Python internals (")
    assert err.endswith("): svc renders templates in Jinja's sandbox; fix the template\n")
    assert not marker.exists()
    assert listing(out) == []
