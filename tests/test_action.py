"""The GitHub Action (`action.yml`), its shell steps run here as a runner would run them.

Each step's `env:` values get their `${{ }}` expressions substituted as GitHub would (inputs,
github.action_path, earlier steps' outputs), the script runs under `bash --noprofile --norc -eo
pipefail` in a fake workspace with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and
GITHUB_WORKSPACE as temporary files and folders, and the upload step's `if:` is evaluated.
The install step installs a small local project (no network); the lint step runs the svc under
test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
SVC = Path(sys.executable).parent / "svc"
EXAMPLE_ORG = PROJECT / "examples" / "org"
IMPORT = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue other-Queue\n"


def step(step_id: str) -> dict[str, object]:
    return next(s for s in STEPS if s.get("id") == step_id)


UPLOAD = next(s for s in STEPS if str(s.get("uses", "")).startswith("github/codeql-action/"))


@dataclass
class Runner:
    """A job's environment: its folders and files, the action's inputs and step outputs."""

    tmp: Path
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]]
    action_path: Path

    @property
    def workspace(self) -> Path:
        return self.tmp / "workspace"

    @property
    def temp(self) -> Path:
        return self.tmp / "runner-temp"

    @property
    def summary(self) -> Path:
        return self.tmp / "step-summary.md"

    def resolve(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if name == "github.action_path":
            return str(self.action_path)
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the test does not know the expression {name!r}")

    def expand(self, text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: self.resolve(m.group(1)), text)

    def condition(self, text: str) -> bool:
        """The subset of GitHub's expression language the action's `if:`s use: terms joined
        by `&&`, each `always()` or a comparison of a context value with a string."""
        inner = re.fullmatch(r"\$\{\{(.*)\}\}", text.strip())
        holds = True
        for term in (inner.group(1) if inner else text).split("&&"):
            if term.strip() == "always()":
                continue
            match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", term)
            assert match is not None, f"the test does not know the condition {term!r}"
            equal = self.resolve(match.group(1)) == match.group(3)
            holds = holds and (equal if match.group(2) == "==" else not equal)
        return holds

    def run(self, step_id: str, extra_env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        """Run a step's script as the runner does; its outputs land in `self.outputs`."""
        spec = step(step_id)
        script = str(spec["run"])
        output = self.tmp / f"output-{step_id}"
        output.write_text("", encoding="utf-8")
        env = {
            "PATH": os.environ["PATH"], "HOME": str(self.tmp), "LANG": "C.UTF-8",
            "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_ENV": str(self.tmp / "github-env"), "GITHUB_PATH": str(self.tmp / "github-path"),
            "RUNNER_TEMP": str(self.temp), "GITHUB_WORKSPACE": str(self.workspace),
            "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **{key: self.expand(str(value)) for key, value in dict(spec["env"]).items()},
            **(extra_env or {}),
        }
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.workspace, env=env, capture_output=True, text=True, check=False, timeout=300,
        )
        lines = output.read_text(encoding="utf-8").splitlines()
        self.outputs[step_id] = dict(line.split("=", 1) for line in lines)
        return proc


def defaults(**given: str) -> dict[str, str]:
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({name.replace("_", "-"): value for name, value in given.items()})
    return values


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    job = Runner(tmp_path, defaults(), {}, PROJECT)
    for folder in (job.workspace, job.temp):
        folder.mkdir()
    for name in ("github-env", "github-path"):
        (tmp_path / name).write_text("", encoding="utf-8")
    job.summary.write_text("", encoding="utf-8")
    return job


def installed(job: Runner) -> None:
    """What the install step leaves for the lint step, with the svc under test."""
    home = job.temp / "svc-action.test"
    home.mkdir()
    job.outputs["install"] = {"svc": str(SVC), "home": str(home)}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --------------------------------------------------------------------------------------------
# The file itself


def test_no_input_or_context_is_expanded_inside_a_script() -> None:
    # `${{ inputs.x }}` in a script is pasted in before bash parses it: script injection.
    scripts = [str(s["run"]) for s in STEPS if "run" in s]
    assert len(scripts) == 2 and not [s for s in scripts if "${{" in s]


def test_every_input_is_documented_and_reaches_a_step() -> None:
    used = "\n".join(yaml.safe_dump(s) for s in STEPS)
    for name, spec in ACTION["inputs"].items():
        assert spec["description"] and f"inputs.{name} " in used.replace("}}", " }}"), name
    assert set(ACTION["inputs"]) == {
        "version", "paths", "select", "ignore", "config", "baseline", "repos", "facts",
        "fail-on", "upload-sarif", "sarif-category",
    }


def test_the_job_python_is_not_replaced() -> None:
    assert not [s for s in STEPS if "setup-python" in str(s.get("uses", ""))]


# --------------------------------------------------------------------------------------------
# Install

BACKEND = '''
import base64, hashlib, zipfile

NAME, VERSION = "fake_svc", "1.0"
FILES = {
    "fake_svc/__init__.py": "def main():\\n    print('fake svc', __file__)\\n",
    f"{NAME}-{VERSION}.dist-info/METADATA":
        f"Metadata-Version: 2.1\\nName: fake-svc\\nVersion: {VERSION}\\n",
    f"{NAME}-{VERSION}.dist-info/WHEEL":
        "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    f"{NAME}-{VERSION}.dist-info/entry_points.txt": "[console_scripts]\\nsvc = fake_svc:main\\n",
}


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(f"{wheel_directory}/{name}", "w") as wheel:
        for path, text in FILES.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            wheel.writestr(path, data)
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{NAME}-{VERSION}.dist-info/RECORD,,")
        wheel.writestr(f"{NAME}-{VERSION}.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name
'''


def fake_project(folder: Path) -> Path:
    """A project pip builds with no download: an in-tree backend, no build requirements."""
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        encoding="utf-8")
    (folder / "backend.py").write_text(BACKEND, encoding="utf-8")
    return folder


def test_install_puts_the_action_s_own_checkout_in_a_venv_under_runner_temp(
        runner: Runner) -> None:
    runner.action_path = fake_project(runner.tmp / "action-checkout")
    proc = runner.run("install")
    assert proc.returncode == 0, proc.stderr
    svc = Path(runner.outputs["install"]["svc"])
    home = Path(runner.outputs["install"]["home"])
    assert home.parent == runner.temp and svc == home / "venv" / "bin" / "svc"
    ran = subprocess.run([str(svc)], capture_output=True, text=True, check=True)
    assert ran.stdout.startswith("fake svc " + str(home / "venv"))
    # The job keeps its own Python, PATH and environment.
    assert (runner.tmp / "github-env").read_text(encoding="utf-8") == ""
    assert (runner.tmp / "github-path").read_text(encoding="utf-8") == ""
    assert subprocess.run([sys.executable, "-c", "import fake_svc"], capture_output=True,
                          check=False).returncode == 1
    assert listing(runner.workspace) == []


def fake_python(job: Runner) -> Path:
    """A `python3` whose venvs hold a `python` that records its arguments instead of running."""
    bin_dir = job.tmp / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python3"
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        '  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0\n'
        "fi\n"
        '[ "$1" = -c ] && exit 0\n'
        f'printf "%s\\n" "$@" > "{job.tmp / "pip-argv"}"\n',
        encoding="utf-8")
    python.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(("version", "requirement"), [
    ("", "ACTION_PATH"),
    ("0.2.0", "svc-serverless==0.2.0"),
    ("svc-serverless==0.3.1", "svc-serverless==0.3.1"),
    ("svc-serverless @ git+https://git.example/svc@v0.2.0",
     "svc-serverless @ git+https://git.example/svc@v0.2.0"),
])
def test_the_version_input_is_what_pip_installs(runner: Runner, version: str,
                                                requirement: str) -> None:
    runner.inputs["version"] = version
    proc = runner.run("install", {"PATH": f"{fake_python(runner)}:{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    wanted = str(runner.action_path) if requirement == "ACTION_PATH" else requirement
    assert (runner.tmp / "pip-argv").read_text(encoding="utf-8").splitlines() == [
        "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wanted,
    ]


def test_install_without_python_3_10_is_a_clear_error(runner: Runner) -> None:
    bin_dir = runner.tmp / "bin"
    bin_dir.mkdir()
    old = bin_dir / "python3"
    old.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    old.chmod(0o755)
    proc = runner.run("install", {"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert proc.returncode == 1
    assert proc.stdout == ("::error title=svc::svc needs Python 3.10 or newer on the runner: "
                           "add actions/setup-python before this action\n")


# --------------------------------------------------------------------------------------------
# Lint


def direct(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SVC), "lint", "--no-cache", *args], cwd=workspace,
                          capture_output=True, text=True, check=False)


def test_one_run_gives_annotations_summary_and_sarif_outside_the_workspace(runner: Runner) -> None:
    shutil.copytree(EXAMPLE_ORG, runner.workspace, dirs_exist_ok=True)
    before = listing(runner.workspace)
    installed(runner)
    proc = runner.run("lint")
    assert proc.returncode == 1, proc.stderr
    home = Path(runner.outputs["install"]["home"])
    # Annotations: exactly what one `--format github` run prints.
    assert proc.stdout == direct(runner.workspace, "--format", "github", ".").stdout
    assert proc.stdout.count("::error ") == 8
    # The job summary: the Markdown report of the same run.
    markdown = direct(runner.workspace, "--format", "markdown", ".").stdout
    assert runner.summary.read_text(encoding="utf-8") == markdown
    assert markdown.startswith("## svc lint\n") and "**Failed**" in markdown
    # The SARIF: outside the checkout, with every finding.
    sarif = home / "svc.sarif"
    assert runner.outputs["lint"] == {"sarif-file": str(sarif), "exit-code": "1"}
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert len(results) == 18  # the example organisation's findings (tests/test_example_org.py)
    assert listing(runner.workspace) == before
    # The upload runs although the step failed, and only when asked.
    assert runner.condition(str(UPLOAD["if"]))
    runner.inputs["upload-sarif"] = "false"
    assert not runner.condition(str(UPLOAD["if"]))
    assert UPLOAD["with"] == {"sarif_file": "${{ steps.lint.outputs.sarif-file }}",
                              "category": "${{ inputs.sarif-category }}"}


def test_a_clean_repo_passes(runner: Runner) -> None:
    (runner.workspace / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    runner.inputs["select"] = "SVC"
    installed(runner)
    proc = runner.run("lint")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "svc lint: 0 errors, 0 warnings, 0 info in 1 repo\n"
    assert runner.outputs["lint"]["exit-code"] == "0"
    assert "**Passed**" in runner.summary.read_text(encoding="utf-8")
    assert runner.condition(str(UPLOAD["if"]))


def test_a_usage_error_fails_with_svc_s_code_and_uploads_nothing(runner: Runner) -> None:
    (runner.workspace / "template.yaml").write_text(IMPORT, encoding="utf-8")
    runner.inputs["fail-on"] = "sometimes"
    installed(runner)
    proc = runner.run("lint")
    assert proc.returncode == 2
    assert "svc: error: argument --fail-on: invalid choice: 'sometimes'" in proc.stderr
    assert runner.outputs["lint"] == {"exit-code": "2"}
    assert runner.summary.read_text(encoding="utf-8") == (
        "**svc lint stopped** (exit code 2) before writing a report: its log says why.\n")
    assert not runner.condition(str(UPLOAD["if"]))


def test_a_step_that_never_ran_uploads_nothing(runner: Runner) -> None:
    assert not runner.condition(str(UPLOAD["if"]))  # install failed: no lint outputs


def recording_svc(job: Runner) -> Path:
    """An `svc` that records its arguments, one a line, and exits 1."""
    fake = job.tmp / "fake-svc"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{job.tmp / "argv"}"\nexit 1\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    return fake


def test_every_input_becomes_its_option_and_no_input_runs_as_code(runner: Runner) -> None:
    installed(runner)
    runner.outputs["install"]["svc"] = str(recording_svc(runner))
    home = runner.outputs["install"]["home"]
    runner.inputs.update({
        "paths": "services/a  services/b\n$(touch pwned) `touch pwned2`\n",
        "select": "SN, KMS002 ORG", "ignore": "LAY008,LAY002",
        "config": "policy.yaml", "baseline": ".svc/baseline.json", "repos": "repos.txt",
        "facts": "facts dir", "fail-on": "warning",
    })
    proc = runner.run("lint")
    assert proc.returncode == 1
    assert (runner.tmp / "argv").read_text(encoding="utf-8").splitlines() == [
        "lint", "--fail-on", "warning", "--format", "github",
        "--output-format", f"sarif:{home}/svc.sarif",
        "--output-format", f"markdown:{home}/summary.md",
        "--select", "SN", "--select", "KMS002", "--select", "ORG",
        "--ignore", "LAY008", "--ignore", "LAY002",
        "--config", "policy.yaml", "--baseline", ".svc/baseline.json", "--repos", "repos.txt",
        "--facts", "facts dir",
        "--", "services/a", "services/b", "$(touch", "pwned)", "`touch", "pwned2`",
    ]
    assert listing(runner.workspace) == []  # nothing ran, nothing was written there


def test_defaults_lint_the_checkout_and_fail_on_errors(runner: Runner) -> None:
    installed(runner)
    runner.outputs["install"]["svc"] = str(recording_svc(runner))
    runner.run("lint")
    argv = (runner.tmp / "argv").read_text(encoding="utf-8").splitlines()
    assert argv[:3] == ["lint", "--fail-on", "error"] and argv[-2:] == ["--", "."]
    assert "--select" not in argv and "--config" not in argv and "--repos" not in argv
