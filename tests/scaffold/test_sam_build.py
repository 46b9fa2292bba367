"""`sam build` builds a generated Python and Node repo, and each function ships only what runs.

The SAM CLI (aws-sam-cli) pins its own boto3, click, cfn-lint and aws-sam-translator, so it is not
in svc's test environment (it would also fix the versions the lowest-constraints run tests):
.ci/run installs it into a venv of its own and names its `sam` in SVC_TEST_SAM; elsewhere the
tests use a `sam` on PATH, or skip with that reason. `sam build` downloads the functions' pinned
dependencies from the package registries.

Without containers `sam build` needs the function runtime's language locally and checks the
Python version exactly. This machine has Python 3.11 and Node 20, none of the Python runtimes
svc offers, so the Python repo is generated for python3.12 and built as python3.11: the
packaging (hash-pinned requirements, no tests, no boto3) does not depend on the Python version.
The Node build runs npm, which builds nodejs22.x with Node 20.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svc_serverless.scaffold.create import NewRequest, new_service

FUNCTIONS = ("RouterFunction", "ReceiverFunction", "PublisherFunction")


def _sam() -> str | None:
    return os.environ.get("SVC_TEST_SAM") or shutil.which("sam")


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_sam() is None, reason="no SAM CLI: set SVC_TEST_SAM or put sam on PATH "
                                              "(.ci/run installs aws-sam-cli for this test)"),
]


def _build(repo: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0",
           # sam finds the build's python and npm on PATH: this interpreter's folder first.
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run([str(_sam()), "build"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_python_functions_ship_their_code_and_pinned_dependencies_only(tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="build-check", owner="team-ci", runtime="python3.12",
                                  output_dir=tmp_path, git=False))
    local = f"python{sys.version_info.major}.{sys.version_info.minor}"
    template = repo / "template.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace("python3.12", local),
                        encoding="utf-8")

    result = _build(repo)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    build = repo / ".aws-sam" / "build"
    for function in FUNCTIONS:
        shipped = {path.name for path in (build / function).iterdir()}
        assert {"handler.py", "aws_lambda_powertools"} <= shipped, (function, shipped)
        # Tests stay in the repo; boto3 comes with the Lambda runtime.
        assert not shipped & {"tests", "boto3", "botocore", "conftest.py"}, (function, shipped)
        assert _size(build / function) < 10 * 2**20
    assert (build / "DomainLayer" / "python" / "build_check_domain" / "events.py").is_file()


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not on PATH")
def test_node_functions_ship_their_code_and_locked_dependencies_only(tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="build-check", owner="team-ci", runtime="nodejs22.x",
                                  output_dir=tmp_path, git=False))

    result = _build(repo)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    build = repo / ".aws-sam" / "build"
    for function in FUNCTIONS:
        shipped = {path.name for path in (build / function).iterdir()}
        # package.json "files" keeps the tests out of what npm pack (and so sam build) ships.
        assert "index.mjs" in shipped and "tests" not in shipped, (function, shipped)
        assert (build / function / "node_modules" / "@aws-lambda-powertools").is_dir()
        assert not (build / function / "node_modules" / "aws-sdk-client-mock").exists()
    assert (build / "DomainLayer" / "nodejs" / "index.mjs").is_file()
    assert not (build / "DomainLayer" / "nodejs" / "testing.mjs").exists()
