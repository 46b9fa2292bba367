"""Nothing in the cache folder can change a lint result: there is no result cache, every run
lints every repo, and the folder itself must be one only the user can write."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.linter.config import Policy
from svc_serverless.linter.run import LintOptions, lint_repos

TEMPLATE = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 3\n"
# Same size: a duplicate key (SVC002) where the clean one has a typo'd key.
CLEAN = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Tupe: AWS::SNS::Topic\n"
BROKEN = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Type: AWS::SNS::Topic\n"


def make_org(root: Path, names: list[str], template: str = TEMPLATE) -> None:
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "template.yaml").write_text(template, encoding="utf-8")


def lint(*args: str) -> int:
    return main(["lint", "--select", "SVC", "-j", "1", *args])


def test_an_edit_keeping_size_and_mtime_is_seen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_org(tmp_path / "org", ["alpha", "beta"], CLEAN)
    cache = str(tmp_path / "cache")
    assert lint(str(tmp_path / "org"), "--cache-dir", cache) == 0
    path = tmp_path / "org" / "beta" / "template.yaml"
    before = path.stat()
    path.write_text(BROKEN, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert lint(str(tmp_path / "org"), "--cache-dir", cache) == 1


def _forge(value: object) -> object:
    """A cache entry rewritten to say "clean": no findings, no error, no crash."""
    if isinstance(value, dict):
        return {key: [] if key == "findings" else None if key == "error" else 0 if key == "crashes"
                else _forge(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_forge(item) for item in value]
    return value


def test_forged_cache_files_cannot_pass_a_failing_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_org(tmp_path / "org", ["alpha", "beta"], BROKEN)
    cache = tmp_path / "cache"
    assert lint(str(tmp_path / "org"), "--cache-dir", str(cache)) == 1
    for entry in cache.rglob("*.json") if cache.exists() else ():
        entry.write_text(json.dumps(_forge(json.loads(entry.read_text(encoding="utf-8")))),
                         encoding="utf-8")
    assert lint(str(tmp_path / "org"), "--cache-dir", str(cache)) == 1


def test_a_link_planted_in_the_cache_is_never_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_org(tmp_path / "org", ["alpha"], CLEAN)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    cache = tmp_path / "cache"
    # Where the result cache used to write its temporary files.
    results = cache / "results"
    results.mkdir(parents=True)
    name = hashlib.sha256(str((tmp_path / "org" / "alpha").resolve()).encode()).hexdigest()[:32]
    (results / f"{name}.{os.getpid()}.tmp").symlink_to(victim)
    assert lint(str(tmp_path / "org" / "alpha"), "--cache-dir", str(cache)) == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_lint_paths_write_nothing_to_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_org(tmp_path / "org", ["alpha", "beta"])
    assert lint(str(tmp_path / "org"), "--cache-dir", str(tmp_path / "cache")) == 0
    assert not (tmp_path / "cache").exists()


def test_pool_and_serial_runs_agree(tmp_path: Path) -> None:
    org = tmp_path / "org"
    make_org(org, [f"svc-{i}" for i in range(6)])
    (org / "svc-3" / "template.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    serial = lint_repos(LintOptions(paths=(org,), jobs=1), Policy(), org)
    pooled = lint_repos(LintOptions(paths=(org,), jobs=2), Policy(), org)
    assert serial == pooled
    assert [r.name for r in pooled] == [f"svc-{i}" for i in range(6)]


def test_linting_inside_a_repo_names_it_like_linting_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = tmp_path / "org"
    make_org(org, ["alpha"])
    (org / "alpha" / "template.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    outside = lint_repos(LintOptions(paths=(org / "alpha",), jobs=1), Policy(), tmp_path)
    monkeypatch.chdir(org / "alpha")
    inside = lint_repos(LintOptions(paths=(Path("."),), jobs=1), Policy(), org / "alpha")
    assert [r.name for r in inside] == ["alpha"]
    assert [f.fingerprint for f in inside[0].findings] == [f.fingerprint for f in outside[0].findings]
