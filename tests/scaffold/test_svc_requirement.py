"""Generated repos install exactly the svc that generated them, never the stranger named `svc`.

The name `svc` on the package index is an unrelated project whose `svc` script exits 0 on
`svc lint .`: a generated gate that installs it passes every repo unchecked. Every generated
file that installs svc uses one requirement string, `svc-serverless==<version>` unless the
organisation chose another (`--svc-requirement`, or the policy's `scaffold.svc-requirement`).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from svc_serverless import __version__
from svc_serverless.cli import main
from svc_serverless.scaffold.create import NewRequest, load_template, new_service
from tests.scaffold.conftest import CI_FILES, COMBOS, OWNER, Combo, combo_ids, files, listing

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = f"svc-serverless=={__version__}"
# Each form an organisation may use, with the characters that YAML, a shell line or GitHub's
# expressions could misread: spaces, @, #, [ ], commas, < and >.
OVERRIDES = (
    f"svc-serverless @ git+https://git.acme.example/platform/svc@v{__version__}",
    "acme-svc[sarif]>=0.2, <0.3",
    "git+ssh://git@git.acme.example/platform/svc.git@v0.2.0#subdirectory=tools",
)
EXAMPLE = (f"e.g. 'svc-serverless=={__version__}' or "
           f"'svc-serverless @ git+https://git.example.com/svc@v{__version__}'")
SYNTAX_ERROR = ("invalid svc requirement {!r}: use NAME==VERSION, NAME @ URL or a URL, at most 300 "
                f"characters, without quotes or shell characters, {EXAMPLE}")
FOREIGN_ERROR = ("invalid svc requirement {!r}: the name 'svc' on the package index is an "
                 f"unrelated project; svc is 'svc-serverless', {EXAMPLE}")

# A pip/pipx/uv install command in any file (shell line, YAML, Markdown code span) and its
# arguments up to the end of the command (a closing backtick, `&&`, `;`, `|`, a # comment).
INSTALL = re.compile(r"\b(?:pipx|pip|uv tool|uv pip)\"?[ \t]+install"
                     r"((?:[ \t]+(?:'[^'\n]*'|\"[^\"\n]*\"|(?!#)[^\s'\"`;&|]+))*)")
OPTIONS_WITH_VALUE = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url"}


def install_targets(text: str) -> list[str]:
    """What every pip/pipx install command in `text` installs (options dropped)."""
    targets = []
    for match in INSTALL.finditer(text):
        words = iter(shlex.split(match.group(1)))
        for word in words:
            if word in OPTIONS_WITH_VALUE:
                next(words, None)
            elif not word.startswith("-"):
                targets.append(word)
    return targets


def svc_hook(repo: Path) -> dict[str, object]:
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for entry in config["repos"] for hook in entry["hooks"]
             if hook["id"] == "svc-lint"]
    assert len(hooks) == 1
    hook: dict[str, object] = hooks[0]
    return hook


def distribution(target: str) -> str:
    """The normalised project name a requirement installs (PEP 503), or the URL itself."""
    name = re.match(r"[A-Za-z0-9._-]+", target)
    if name is None or "://" in target.split("@")[0] or target.startswith(("git+", "http")):
        return target
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def svc_installs(repo: Path) -> dict[str, list[str]]:
    """Per file, what it installs svc with: install commands plus the hook's dependencies."""
    found = {}
    for path in sorted(files(repo)):
        targets = [t for t in install_targets((repo / path).read_text(encoding="utf-8"))
                   if t not in {"pre-commit"}]
        if path == ".pre-commit-config.yaml":
            targets += list(svc_hook(repo)["additional_dependencies"])  # type: ignore[call-overload]
        if targets:
            found[path] = targets
    return found


def expected_installs(ci: str, requirement: str) -> dict[str, list[str]]:
    expected = {".pre-commit-config.yaml": [requirement], "README.md": [requirement]}
    if ci in ("gitlab", "codebuild"):  # GitHub's CI installs through svc's action: below
        expected[CI_FILES[ci]] = [requirement]
    return expected


def github_lint_step(repo: Path) -> dict[str, object]:
    config = yaml.safe_load((repo / CI_FILES["github"]).read_text(encoding="utf-8"))
    step: dict[str, object] = next(s for s in config["jobs"]["check"]["steps"]
                                   if s.get("name") == "svc lint")
    return step


# ---------------------------------------------------------------- every generated file


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_every_file_that_installs_svc_installs_this_version(rendered: dict[Combo, Path],
                                                            combo: Combo) -> None:
    repo = rendered[combo]
    assert svc_installs(repo) == expected_installs(combo.ci, DEFAULT)
    if combo.ci == "github":
        # svc's own action at the generating version, installing exactly this requirement.
        assert github_lint_step(repo) == {
            "name": "svc lint", "uses": f"svc-dev/svc@v{__version__}",
            "with": {"version": DEFAULT, "upload-sarif": "false"}}
    hook = svc_hook(repo)
    assert (hook["language"], hook["entry"]) == ("python", "svc lint .")
    answers = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))["answers"]
    assert answers["svc_requirement"] == DEFAULT


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_no_generated_file_installs_the_bare_svc_name(rendered: dict[Combo, Path],
                                                      combo: Combo) -> None:
    repo = rendered[combo]
    for path in files(repo):
        text = (repo / path).read_text(encoding="utf-8")
        assert "svc" not in {distribution(t) for t in install_targets(text)}, path
        assert not re.search(r"\b(?:pipx|pip)\"? install(?: --?\S+)* ['\"]?svc(?![\w.-])", text), path
    dependencies = svc_hook(repo)["additional_dependencies"]
    assert "svc" not in {distribution(d) for d in dependencies}  # type: ignore[attr-defined]


def test_the_helpers_would_see_the_bare_name() -> None:
    # The two tests above are only as good as these helpers.
    text = ("run: |\n  \"$X/bin/pip\" install --quiet svc\n- pip install -r r.txt 'svc>=1'\n"
            "(`pipx install svc`). `pip install pre-commit && pre-commit install`\n"
            "pip install svc-serverless==1  # svc, not pip install svc\n")
    assert install_targets(text) == ["svc", "svc>=1", "svc", "pre-commit", "svc-serverless==1",
                                     "svc"]
    assert {distribution(t) for t in install_targets(text)} == {"svc", "pre-commit",
                                                                "svc-serverless"}
    assert distribution(OVERRIDES[0]) == "svc-serverless"
    assert distribution(OVERRIDES[2]) == OVERRIDES[2]


# ---------------------------------------------------------------- an organisation's own


def _run_install_line(line: str, pip: str, tmp_path: Path) -> list[str]:
    """Run a generated install command with a stand-in pip that prints its arguments."""
    stub = tmp_path / "pip-stub"
    stub.write_text('#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg"; done\n',
                    encoding="utf-8")
    stub.chmod(0o755)
    assert pip in line
    result = subprocess.run(["bash", "-c", line.replace(pip, str(stub))], capture_output=True,
                            text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    return result.stdout.splitlines()


def _ci_install_line(repo: Path, ci: str) -> tuple[str, str]:
    """The command that installs svc, as the CI system reads it out of its YAML."""
    config = yaml.safe_load((repo / CI_FILES[ci]).read_text(encoding="utf-8"))
    if ci == "gitlab":
        script = config["svc-lint"]["script"]
        pip = "/tmp/svc/bin/pip"
    else:
        script = config["phases"]["install"]["commands"]
        pip = "/tmp/svc/bin/pip"
    lines = [line for line in script if line.startswith(pip + " install")]
    assert len(lines) == 1, script
    return lines[0], pip


@pytest.mark.parametrize("ci", ["github", "gitlab", "codebuild"])
@pytest.mark.parametrize("requirement", OVERRIDES)
def test_an_organisations_requirement_reaches_pip_intact(ci: str, requirement: str,
                                                         tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code = main(["new", "billing", "--owner", OWNER, "--ci", ci, "--runtime", "nodejs22.x",
                 "--no-git", "-o", str(out), "--svc-requirement", requirement])
    assert (code, capsys.readouterr().err) == (0, "")
    repo = out / "billing"

    assert svc_installs(repo) == expected_installs(ci, requirement)
    if ci == "github":
        # Read as GitHub reads it: the action's `version` input is the requirement, whole
        # (tests/test_action.py shows the action hands it to pip as one argument).
        assert github_lint_step(repo)["with"] == {"version": requirement, "upload-sarif": "false"}
    else:
        # Read as the CI system reads it (YAML), run as its shell runs it: pip gets one argument.
        line, pip = _ci_install_line(repo, ci)
        assert _run_install_line(line, pip, tmp_path) == ["install", "--quiet", requirement]
    assert svc_hook(repo)["additional_dependencies"] == [requirement]
    assert f"`pipx install '{requirement}'`" in (repo / "README.md").read_text(encoding="utf-8")
    answers = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))["answers"]
    assert answers["svc_requirement"] == requirement


def _policy(tmp_path: Path, requirement: object) -> Path:
    policy = tmp_path / "org-policy.yaml"
    policy.write_text(yaml.safe_dump({"version": 1, "ignore": ["LAY008"],
                                      "scaffold": {"svc-requirement": requirement}}),
                      encoding="utf-8")
    return policy


def test_the_organisation_policy_sets_the_requirement(tmp_path: Path) -> None:
    requirement = "acme-svc==1.4.0"
    repo = new_service(NewRequest(name="billing", owner=OWNER, output_dir=tmp_path, git=False,
                                  config=_policy(tmp_path, requirement)))
    assert svc_installs(repo) == expected_installs("github", requirement)


def test_the_command_line_wins_over_the_policy(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy(tmp_path, "acme-svc==1.4.0")
    out = tmp_path / "out"
    out.mkdir()
    code = main(["new", "billing", "--owner", OWNER, "--ci", "gitlab", "--no-git", "-o", str(out),
                 "--config", str(policy), "--svc-requirement", "acme-svc==1.5.0"])
    assert code == 0
    assert svc_installs(out / "billing") == expected_installs("gitlab", "acme-svc==1.5.0")


def test_a_policy_without_the_key_keeps_the_default(tmp_path: Path) -> None:
    policy = tmp_path / "org-policy.yaml"
    policy.write_text("version: 1\nscaffold:\n  max_minor_versions_behind: 1\n", encoding="utf-8")
    repo = new_service(NewRequest(name="billing", owner=OWNER, output_dir=tmp_path, git=False,
                                  config=policy))
    assert svc_installs(repo) == expected_installs("github", DEFAULT)


def test_the_template_default_is_this_version() -> None:
    # The bare cookiecutter CLI (or `sam init --location`) renders the template without svc:
    # its default must pin this svc too, so bumping the version means bumping it.
    assert load_template().variables["svc_requirement"] == DEFAULT
    assert load_template().variables["_svc_version"] == __version__


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("requirement", [
    "svc-serverless==0.2; rm -rf ~", "svc-serverless==0.2.0 && curl x", "svc-serverless=='0.2'",
    'svc-serverless=="0.2"', "svc-serverless==${{ github.token }}", "svc-serverless=={{ x }}",
    "svc-serverless @ https://x/$(id)", "svc-serverless @ https://x/`id`", "a\nb",
    "svc-serverless==0.2.0 # pinned", "svc-serverless  ==0.2", "-e .", "--index-url=https://x",
    "svc-serverless\\", "", "x" * 301, "ftp://x/svc.whl", "svc-serverless==0.2|cat",
])
def test_bad_requirements_are_refused_with_one_line_and_nothing_written(
        requirement: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["new", "billing", "--owner", OWNER, "-o", str(tmp_path), "--no-git",
                 f"--svc-requirement={requirement}"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"svc: error: {SYNTAX_ERROR.format(requirement)}\n"
    assert listing(tmp_path) == []


@pytest.mark.parametrize("requirement", ["svc", "SVC==0.2.0", "svc>=0", "svc[all]",
                                         "svc @ https://files.example.com/svc.whl"])
def test_the_strangers_name_is_refused(requirement: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["new", "billing", "--owner", OWNER, "-o", str(tmp_path), "--no-git",
                 "--svc-requirement", requirement])
    assert code == 2
    assert capsys.readouterr().err == f"svc: error: {FOREIGN_ERROR.format(requirement)}\n"
    assert listing(tmp_path) == []


def test_a_bad_requirement_in_the_policy_names_the_file(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy(tmp_path, "svc")
    out = tmp_path / "out"
    out.mkdir()
    code = main(["new", "billing", "--owner", OWNER, "-o", str(out), "--no-git",
                 "--config", str(policy)])
    assert code == 2
    assert capsys.readouterr().err == (f"svc: error: {policy}: scaffold.svc-requirement: "
                                       f"{FOREIGN_ERROR.format('svc')}\n")
    assert listing(out) == []


def test_a_requirement_of_the_wrong_type_in_the_policy_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy(tmp_path, ["svc-serverless"])
    out = tmp_path / "out"
    out.mkdir()
    code = main(["new", "billing", "--owner", OWNER, "-o", str(out), "--no-git",
                 "--config", str(policy)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"svc: error: {policy}: invalid policy at scaffold/svc-requirement: ")
    assert err.count("\n") == 1
    assert listing(out) == []


def test_a_missing_policy_file_is_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    code = main(["new", "billing", "--owner", OWNER, "-o", str(tmp_path), "--no-git",
                 "--config", str(missing)])
    assert code == 2
    assert capsys.readouterr().err == (f"svc: error: policy file {missing} does not exist: "
                                       "check the --config path\n")
    assert listing(tmp_path) == []


def test_data_cannot_set_the_requirement(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["new", "billing", "--owner", OWNER, "-o", str(tmp_path), "--no-git",
                 "--data", "svc_requirement=svc"])
    assert code == 2
    assert capsys.readouterr().err == ("svc: error: 'svc_requirement' has its own option: use "
                                       "--svc-requirement instead of --data svc_requirement=...\n")


# ---------------------------------------------------------------- svc's own gate files


def test_svcs_own_action_and_hook_install_svc_serverless_not_svc() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in action["runs"]["steps"] if "run" in step]
    # The action installs its own checkout (the svc-serverless at the ref the workflow pinned)
    # unless its `version` input names another requirement (tests/test_action.py runs it).
    install = next(step for step in action["runs"]["steps"] if step.get("id") == "install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert "requirement=${INPUT_VERSION:-$ACTION_PATH}" in install["run"]
    assert '-m pip install --quiet --disable-pip-version-check "$requirement"' in install["run"]
    for text in runs:
        assert "svc" not in {distribution(t) for t in install_targets(text)}
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    # language: python installs this repository (svc-serverless) into the hook's environment.
    assert [(h["id"], h["language"], h.get("additional_dependencies", [])) for h in hooks] == [
        ("svc-lint", "python", [])]
    for path in ("README.md", ".pre-commit-hooks.yaml"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "svc" not in {distribution(t) for t in install_targets(text)}, path
