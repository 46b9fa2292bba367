"""The generated repositories' own tests pass: pytest + moto for Python, node --test for Node.

They run in subprocesses, the way a developer or CI runs them in the new repo, with no
network and no AWS credentials. Independent runs go in parallel: moto is slow to import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.scaffold.conftest import COMBOS, Combo, combo_ids

# The CI choice changes only CI files (test_ci_choice_changes_nothing_but_the_ci_files), and the
# Python runtimes differ in their runtime string only (the tests run on this interpreter), so
# one repo per language, workflow setting and trigger covers every combination's tests.
RUNS = tuple(c for c in COMBOS if c.ci == "github" and c.runtime in ("python3.13", "nodejs22.x"))
WIRING_SKIP = "# SKIP the SDK wiring needs the dependencies"


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    # Nothing may reach the network: a forgotten mock fails fast instead of calling AWS.
    env.update({"PYTHONDONTWRITEBYTECODE": "1", "HTTPS_PROXY": "http://127.0.0.1:9",
                "HTTP_PROXY": "http://127.0.0.1:9",
                # The generated repo needs only core pytest; this machine's plugins are not
                # its dependencies (and cost seconds per run).
                "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    env.pop("PYTHONPATH", None)
    return env


def _run(combo: Combo, repo: Path) -> subprocess.CompletedProcess[str]:
    if combo.python:
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
        return subprocess.run(command, cwd=repo, env=_env(), capture_output=True, text=True,
                              timeout=300, check=False)
    # Each function folder is self-contained, so its tests run from inside it.
    folders = sorted((repo / "functions").iterdir()) + [repo / "tests"]
    runs = [subprocess.run(["node", "--test"], cwd=folder, env=_env(), capture_output=True,
                           text=True, timeout=120, check=False) for folder in folders]
    return subprocess.CompletedProcess(["node", "--test"], max(r.returncode for r in runs),
                                       "".join(r.stdout for r in runs),
                                       "".join(r.stderr for r in runs))


@pytest.fixture(scope="module")
def results(rendered: dict[Combo, Path]) -> Iterator[dict[Combo, subprocess.CompletedProcess[str]]]:
    runnable = [c for c in RUNS if c.python or shutil.which("node")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {combo: pool.submit(_run, combo, rendered[combo]) for combo in runnable}
        yield {combo: future.result() for combo, future in futures.items()}


@pytest.mark.parametrize("combo", [c for c in RUNS if c.python], ids=combo_ids)
def test_generated_python_tests_pass(results: dict[Combo, subprocess.CompletedProcess[str]],
                                     combo: Combo) -> None:
    result = results[combo]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
@pytest.mark.parametrize("combo", [c for c in RUNS if not c.python], ids=combo_ids)
def test_generated_node_tests_pass(results: dict[Combo, subprocess.CompletedProcess[str]],
                                   combo: Combo) -> None:
    result = results[combo]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # Router, receiver, publisher and tests/; without `npm ci` only the SDK wiring tests skip.
    assert result.stdout.count("# fail 0") == 4 and "# pass 0" not in result.stdout
    skipped = [line for line in result.stdout.splitlines() if "# SKIP" in line]
    assert len(skipped) == 3 and all(WIRING_SKIP in line for line in skipped), skipped


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None or shutil.which("node") is None,
                    reason="node and npm are not on PATH")
def test_generated_node_sdk_wiring_passes_with_the_locked_dependencies(
        rendered: dict[Combo, Path], tmp_path: Path) -> None:
    """The functions' real wiring (AWS SDK + Powertools, AWS mocked by aws-sdk-client-mock),
    with exactly the dependencies package-lock.json pins."""
    repo = tmp_path / "repo"
    shutil.copytree(rendered[Combo("nodejs22.x", "github", True)], repo)
    env = {key: value for key, value in _env().items() if not key.endswith(("_PROXY", "_proxy"))}
    for folder in sorted((repo / "functions").iterdir()):
        install = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                                 cwd=folder, env=env, capture_output=True, text=True, timeout=600,
                                 check=False)
        if install.returncode != 0:
            pytest.skip(f"npm ci could not install the locked dependencies (no registry?): "
                        f"{install.stderr.strip().splitlines()[-1:]}")
        result = subprocess.run(["node", "--test"], cwd=folder, env=_env(), capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert "# fail 0" in result.stdout and "# skipped 0" in result.stdout, result.stdout
