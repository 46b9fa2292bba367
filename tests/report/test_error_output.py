"""What svc prints outside the report: `svc: error:` lines and clone errors carry no credential,
no control character and no workflow command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.linter import sources

TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ01"


def test_an_error_quoting_a_repos_url_hides_its_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repos = tmp_path / "repos.txt"
    repos.write_text(f"-https://x-access-token:{TOKEN}@github.com/acme/billing.git\n",
                     encoding="utf-8")
    assert main(["lint", "--repos", str(repos), "--cache-dir", str(tmp_path / "c")]) == 2
    assert capsys.readouterr().err == (
        f"svc: error: {repos}: '-https://***@github.com/acme/billing.git' is not a git URL\n"
    )


def test_an_error_line_stays_one_line_and_commands_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "p\n::add-mask::x ##[error]y \x1b[2J\u202e"
    assert main(["lint", str(tmp_path), "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"svc: error: policy file {tmp_path}/p\\n::add-mask::x ##\\[error]y \\x1b[2J\\u202e does "
        "not exist: check the --config path\n"
    )


def _clone_fails(url: str, stderr: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def fetch(source: sources.RepoSource, clones: Path) -> Path:
        # Clones run `git` directly: its failures are CalledProcessError with git's stderr.
        raise subprocess.CalledProcessError(128, ["git", "fetch", source.url], stderr=stderr)

    monkeypatch.setattr(sources, "fetch", fetch)


def test_a_clone_error_that_echoes_the_url_is_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"https://x-access-token:{TOKEN}@github.com/acme/billing.git"
    _clone_fails(url, f"fatal: unable to access '{url}/': The requested URL returned error: 403",
                 monkeypatch)
    repos = tmp_path / "repos.txt"
    repos.write_text(f"{url} main\n", encoding="utf-8")
    (target,) = sources.clone_targets(repos, tmp_path / "cache")
    clean = "https://***@github.com/acme/billing.git"
    assert (target.name, target.display, target.error) == (
        "billing",
        f"{clean}@main",
        (f"cannot clone {clean}@main: fatal: unable to access '{clean}/': The requested URL "
        "returned error: 403"),
    )


def test_a_token_in_the_query_names_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://gitlab.example/acme/billing.git?private_token=glpat-s3cr3t"
    _clone_fails(url, "fatal: Authentication failed for " + url, monkeypatch)
    repos = tmp_path / "repos.txt"
    repos.write_text(f"{url}\n", encoding="utf-8")
    (target,) = sources.clone_targets(repos, tmp_path / "cache")
    clean = "https://gitlab.example/acme/billing.git?private_token=***"
    assert (target.name, target.display, target.error) == (
        "billing", clean, f"cannot clone {clean}: fatal: Authentication failed for {clean}",
    )
