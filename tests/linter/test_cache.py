"""The per-repo result cache: unchanged repos are not parsed again; a change re-lints one repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from svc_serverless.linter import engine
from svc_serverless.linter.config import Policy
from svc_serverless.linter.run import LintOptions, lint_repos

TEMPLATE = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 3\n"


def make_org(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "template.yaml").write_text(TEMPLATE, encoding="utf-8")


def lint(root: Path, cache: Path) -> dict[str, bool]:
    options = LintOptions(paths=(root,), cache_dir=cache, jobs=1)
    return {r.name: r.cached for r in lint_repos(options, Policy(), root)}


def test_warm_run_parses_nothing_and_an_edit_relints_one_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, cache = tmp_path / "org", tmp_path / "cache"
    make_org(org, ["alpha", "beta", "gamma"])
    assert lint(org, cache) == {"alpha": False, "beta": False, "gamma": False}

    loaded: list[str] = []
    real_load = engine.load_repo
    monkeypatch.setattr(engine, "load_repo", lambda root, policy=None, name=None: loaded.append(root.name) or real_load(root, policy, name))
    assert lint(org, cache) == {"alpha": True, "beta": True, "gamma": True}
    assert loaded == []

    path = org / "beta" / "template.yaml"
    path.write_text(TEMPLATE.replace("3", "30"), encoding="utf-8")
    assert lint(org, cache) == {"alpha": True, "beta": False, "gamma": True}
    assert loaded == ["beta"]

    # A new file, a removed file and a changed policy each invalidate too.
    (org / "gamma" / "README.md").write_text("# gamma\n", encoding="utf-8")
    os.remove(path)
    (org / "beta" / "template.yml").write_text(TEMPLATE, encoding="utf-8")
    assert lint(org, cache) == {"alpha": True, "beta": False, "gamma": False}


def test_cached_results_equal_fresh_ones(tmp_path: Path) -> None:
    org, cache = tmp_path / "org", tmp_path / "cache"
    make_org(org, ["alpha", "beta"])
    (org / "beta" / "template.yaml").write_text("Resources: [\n", encoding="utf-8")
    options = LintOptions(paths=(org,), cache_dir=cache, jobs=1)
    fresh = lint_repos(options, Policy(), org)
    warm = lint_repos(options, Policy(), org)
    assert [r.cached for r in warm] == [True, True]
    assert [(r.name, r.path, r.findings, r.facts) for r in fresh] == [(r.name, r.path, r.findings, r.facts) for r in warm]


def test_a_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    org, cache = tmp_path / "org", tmp_path / "cache"
    make_org(org, ["alpha"])
    lint(org, cache)
    for entry in (cache / "results").iterdir():
        entry.write_text("{not json", encoding="utf-8")
    assert lint(org, cache) == {"alpha": False}
    assert lint(org, cache) == {"alpha": True}


def test_pool_and_serial_runs_agree(tmp_path: Path) -> None:
    org = tmp_path / "org"
    make_org(org, [f"svc-{i}" for i in range(6)])
    (org / "svc-3" / "template.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    serial = lint_repos(LintOptions(paths=(org,), use_cache=False, jobs=1), Policy(), org)
    pooled = lint_repos(LintOptions(paths=(org,), use_cache=False, jobs=2), Policy(), org)
    assert serial == pooled
    assert [r.name for r in pooled] == [f"svc-{i}" for i in range(6)]


def test_org_pass_is_reused_only_while_no_repo_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from svc_serverless.linter.run import run_lint

    org, cache = tmp_path / "org", tmp_path / "cache"
    make_org(org, ["alpha", "beta"])
    calls: list[int] = []
    real = engine.run_org_rules
    monkeypatch.setattr(engine, "run_org_rules",
                        lambda facts, *rest: calls.append(len(facts)) or real(facts, *rest))
    options = LintOptions(paths=(org,), cache_dir=cache, jobs=1, output=tmp_path / "out.json",
                          output_format="json")
    import json

    def findings() -> object:
        return json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["findings"]

    first = run_lint(options)
    cold = findings()
    assert run_lint(options) == first
    assert findings() == cold
    assert calls == [2]
    (org / "beta" / "template.yaml").write_text(TEMPLATE + "# changed\n", encoding="utf-8")
    run_lint(options)
    assert calls == [2, 2]


def test_a_new_empty_folder_invalidates_the_cache(tmp_path: Path) -> None:
    org, cache = tmp_path / "org", tmp_path / "cache"
    make_org(org, ["alpha", "beta"])
    lint(org, cache)
    (org / "alpha" / "functions" / "Old_Stuff").mkdir(parents=True)
    assert lint(org, cache) == {"alpha": False, "beta": True}


def test_linting_inside_a_repo_names_it_like_linting_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = tmp_path / "org"
    make_org(org, ["alpha"])
    (org / "alpha" / "template.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    outside = lint_repos(LintOptions(paths=(org / "alpha",), use_cache=False, jobs=1), Policy(), tmp_path)
    monkeypatch.chdir(org / "alpha")
    inside = lint_repos(LintOptions(paths=(Path("."),), use_cache=False, jobs=1), Policy(), org / "alpha")
    assert [r.name for r in inside] == ["alpha"]
    assert [f.fingerprint for f in inside[0].findings] == [f.fingerprint for f in outside[0].findings]
