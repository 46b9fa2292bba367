"""No input ends the run: every hostile file or file-system oddity gives its exact exit code and
finding (or one `svc: error:` line for the operator's own argument files), within a second,
with the clean repo beside it still reported.

The corpus and what each case must produce: tests/hostile/cases.yaml; how a run is laid out:
tests/hostile/harness.py; oddities that cannot live in git: tests/hostile/oddities.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.hostile import harness, oddities

CASES: list[dict[str, Any]] = yaml.safe_load(
    (harness.HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
TIME_LIMIT = 1.0
ENGINE_CODES = ("SVC001", "SVC002", "SVC003", "SVC004", "SVC005", "SVC006")


def _id(case: dict[str, Any]) -> str:
    return str(case.get("oddity") or case["file"])


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Lint the clean repo once first, so no case's time includes importing svc's modules."""
    org, _ = harness.make_org(tmp_path_factory.mktemp("warm"))
    assert harness.run_lint(["--format", "json", "--no-cache", str(org)]).code == 0


@pytest.fixture
def keep_cwd() -> Iterator[None]:
    cwd = os.getcwd()
    yield
    os.chdir(cwd)


def test_the_corpus_has_the_files_and_kinds_it_claims() -> None:
    files = {str(p.relative_to(harness.HERE)) for folder in harness.FOLDERS
             for p in (harness.HERE / folder).iterdir()}
    listed = {c["file"] for c in CASES if "file" in c and "generate" not in c}
    assert files == listed  # every corpus file has an expectation, and every one exists
    assert len(files) >= 60
    assert all((harness.HERE / folder).is_dir() for folder in harness.FOLDERS)


@pytest.mark.usefixtures("keep_cwd")
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_hostile_input(case: dict[str, Any], tmp_path: Path) -> None:
    if "oddity" in case:
        argv = oddities.build(case["oddity"], tmp_path)
    else:
        argv = harness.arguments(case, tmp_path)
    try:
        with harness.permissions_as_non_root():
            outcome = harness.run_lint(argv)
    finally:
        harness.restore_modes(tmp_path)
    assert "Traceback" not in outcome.stderr
    assert (outcome.code, outcome.seconds < TIME_LIMIT) == (case["exit"], True), (
        outcome.seconds, outcome.stderr)
    if case["exit"] == 2:
        assert outcome.stdout == ""
        assert outcome.stderr.startswith("svc: error: ")
        assert outcome.stderr.count("\n") == 1 and case["says"] in outcome.stderr
        return
    summary = outcome.report["summary"]
    assert summary["crashes"] == 0
    assert not [f for f in outcome.report["findings"] if f["rule"] == "SVC001"]
    if "says" in case:  # a facts file or a --repos entry that could not be read
        errors = [r["error"] for r in outcome.report["repos"] if r["error"]]
        assert len(errors) == 1 and case["says"] in errors[0]
    else:
        hostile = _hostile_name(outcome)
        found = outcome.findings(hostile)
        if case["finding"] is None:
            assert not [f for f in found if f[0] in ENGINE_CODES]
        else:
            assert tuple(case["finding"]) in found, found
    good = outcome.repo("good")
    if "--repos" not in argv:
        assert good is not None and (good["error"], good["findings"]) == (None, 0)


def _hostile_name(outcome: harness.Outcome) -> str:
    names = [r["name"] for r in outcome.report["repos"] if r["name"] != "good"]
    assert len(names) == 1, names
    return str(names[0])


def test_a_repo_folder_named_in_bytes_that_are_not_utf8_is_reported_escaped(
    tmp_path: Path,
) -> None:
    outcome = harness.run_lint(oddities.build("non-utf8-repo-name", tmp_path))
    assert [(r["name"], r["path"].rsplit("/", 1)[-1]) for r in outcome.report["repos"]] == [
        ("good", "good"), ("hostile-\\xe9", "hostile-\\xe9")]


def test_a_symlinked_svc_folder_is_not_read(tmp_path: Path) -> None:
    # Behind the link: a policy that ignores everything and answers that would fail ORG008.
    outcome = harness.run_lint(oddities.build("svc-symlink", tmp_path))
    assert outcome.findings("hostile") == {("SVC005", ".svc/policy.yaml"), ("SN010", ".svc")}


def test_files_planted_in_the_cache_folder_are_never_read_as_results(tmp_path: Path) -> None:
    # svc keeps no lint results (only --repos clones), so nothing in the cache can stand in for
    # a repo's result: a forged "pass" changes nothing.
    argv = oddities.build("deep-folders", tmp_path)
    first = harness.run_lint(argv)
    cache = tmp_path / "cache"
    for name in ("results/forged.json", "org/forged.json", "forged.json"):
        (cache / name).parent.mkdir(parents=True, exist_ok=True)
        (cache / name).write_text('{"findings": [], "error": null}', encoding="utf-8")
    again = harness.run_lint(argv)
    assert (again.code, again.stderr) == (first.code, "")
    assert again.report["findings"] == first.report["findings"]
