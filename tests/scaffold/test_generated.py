"""Every generated repository is valid and deployable: cfn-lint, the SAM transform, the CI
schemas, the manifest schema, its exact file set, and svc's own lint."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.scaffold.conftest import CI_FILES, COMBOS, OWNER, SERVICE, Combo, combo_ids, files

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_SCHEMA = REPO_ROOT / "svc_serverless" / "linter" / "schemas" / "manifest.schema.json"
LOCAL_PATH_PROPERTIES = ("CodeUri", "ContentUri", "DefinitionUri", "DefinitionS3Location")

# The exact tree of the default-like combination; the other combinations are checked as
# differences from it below.
PYTHON_GITHUB_WORKFLOW = {
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".svc/answers.json",
    "CODEOWNERS",
    "README.md",
    "catalog-info.yaml",
    "conftest.py",
    "events/receiver/commands.json",
    "events/receiver/process.json",
    "events/router/create.json",
    "events/router/delete.json",
    "events/router/get.json",
    "events/router/list.json",
    "events/router/update.json",
    "events/workflow/start.json",
    "functions/publisher/handler.py",
    "functions/publisher/requirements.txt",
    "functions/receiver/handler.py",
    "functions/receiver/requirements.txt",
    "functions/router/handler.py",
    "functions/router/requirements.txt",
    "layers/domain/order_history_domain/__init__.py",
    "layers/domain/order_history_domain/errors.py",
    "layers/domain/order_history_domain/events.py",
    "layers/domain/order_history_domain/payload.py",
    "layers/domain/order_history_domain/repository.py",
    "layers/domain/order_history_domain/service.py",
    "layers/domain/requirements.txt",
    "pipeline/github-deploy-roles.yaml",
    "pytest.ini",
    "requirements-dev.txt",
    "ruff.toml",
    "samconfig.toml",
    "template.yaml",
    "tests/test_domain.py",
    "tests/test_exactly_once.py",
    "tests/test_publisher.py",
    "tests/test_receiver.py",
    "tests/test_router.py",
    "tests/test_template.py",
    "workflows/process-item/README.md",
    "workflows/process-item/process-item.asl.json",
}
PYTHON_ONLY = {p for p in PYTHON_GITHUB_WORKFLOW
               if p.endswith((".py", "requirements.txt"))
               or p in {"pytest.ini", "requirements-dev.txt", "ruff.toml"}}
NODE_ONLY = {
    "package.json",
    *(f"functions/{name}/{file}" for name in ("router", "receiver", "publisher")
      for file in ("index.mjs", "package.json", "package-lock.json", f"tests/{name}.test.mjs",
                   "tests/wiring.test.mjs")),
    "layers/domain/index.mjs",
    "layers/domain/package.json",
    "layers/domain/testing.mjs",
    "tests/api.test.mjs",
    "tests/domain.test.mjs",
    "tests/template.test.mjs",
}
# The deploy infrastructure each CI system needs, owned by the service (pipeline/).
PIPELINE_FILES = {
    "github": "pipeline/github-deploy-roles.yaml",
    "gitlab": "pipeline/gitlab-deploy-roles.yaml",
    "codebuild": "pipeline/codepipeline.yaml",
}
WORKFLOW_ONLY = {"workflows/process-item/README.md", "workflows/process-item/process-item.asl.json",
                 "events/workflow/start.json"}


def expected_files(combo: Combo) -> set[str]:
    expected = set(PYTHON_GITHUB_WORKFLOW)
    if not combo.python:
        expected = (expected - PYTHON_ONLY) | NODE_ONLY
    if not combo.workflow:
        expected -= WORKFLOW_ONLY
    expected -= {CI_FILES["github"], *PIPELINE_FILES.values()}
    expected.add(CI_FILES[combo.ci])
    if combo.ci in PIPELINE_FILES:
        expected.add(PIPELINE_FILES[combo.ci])
    return expected


def test_python_github_workflow_has_exactly_these_files(rendered: dict[Combo, Path]) -> None:
    assert files(rendered[Combo("python3.13", "github", True)]) == PYTHON_GITHUB_WORKFLOW


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_options_change_exactly_their_files(rendered: dict[Combo, Path], combo: Combo) -> None:
    repo = rendered[combo]
    assert files(repo) == expected_files(combo)
    # The option-specific facts the brief names, spelled out:
    manifests = {p.name for p in (repo / "functions/router").iterdir() if p.is_file()}
    assert ("requirements.txt" in manifests) is combo.python
    assert ("package.json" in manifests) is not combo.python
    assert (repo / "workflows").exists() is combo.workflow
    assert (repo / ".svc/policy.yaml").exists() is (combo.ci == "none")
    ci_files = {".github", ".gitlab-ci.yml", "buildspec.yml"}
    present = {name for name in ci_files if (repo / name).exists()}
    assert present == ({CI_FILES[combo.ci].split("/")[0]} if combo.ci != "none" else set())
    assert (repo / "pipeline").exists() is (combo.ci != "none")


def test_ci_choice_changes_nothing_but_the_ci_files(rendered: dict[Combo, Path]) -> None:
    for runtime in ("python3.13", "nodejs22.x"):
        trees = {}
        for ci in CI_FILES:
            repo = rendered[Combo(runtime, ci, True)]
            trees[ci] = {path: (repo / path).read_bytes() for path in files(repo)
                         if path not in CI_FILES.values() and path not in PIPELINE_FILES.values()
                         and path not in {"README.md", ".svc/answers.json"}}
        assert all(tree == trees["github"] for tree in trees.values()), runtime


def test_none_ci_policy_opts_out_of_the_ci_rule(rendered: dict[Combo, Path]) -> None:
    policy = rendered[Combo("python3.13", "none", True)] / ".svc/policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert yaml.safe_load(text) == {"version": 1, "ignore": ["LAY007"]}
    assert "opted out of CI" in text


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_no_template_syntax_is_left_over(rendered: dict[Combo, Path], combo: Combo) -> None:
    for path in files(rendered[combo]):
        text = (rendered[combo] / path).read_text(encoding="utf-8")
        # GitHub Actions expressions `${{ ... }}` are meant to be there.
        text = re.sub(r"\$\{\{ [^{}]+ \}\}", "", text)
        assert not re.search(r"\{\{|\{%|\{#|cookiecutter", text), path


# ---------------------------------------------------------------- template.yaml


def _digest(repo: Path) -> str:
    return hashlib.sha256((repo / "template.yaml").read_bytes()).hexdigest()


@functools.cache
def _cfn_lint(text: str) -> tuple[str, ...]:
    from cfnlint.api import ManualArgs, lint

    # One region: lint_all() checks every region, and a resource type missing from a brand
    # new region's spec is not a problem of the template.
    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    return tuple(str(match) for match in matches)


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_cfn_lint_reports_nothing(rendered: dict[Combo, Path], combo: Combo) -> None:
    text = (rendered[combo] / "template.yaml").read_text(encoding="utf-8")
    matches = _cfn_lint(text)
    assert matches == (), "\n".join(matches)


def _packaged(repo: Path) -> dict[str, Any]:
    """The template as `sam package` leaves it: local paths replaced by S3 URIs."""
    from cfnlint.decode import decode

    template, errors = decode(str(repo / "template.yaml"))
    assert not errors, errors
    packaged: dict[str, Any] = json.loads(json.dumps(template))
    for logical_id, resource in packaged["Resources"].items():
        properties = resource.get("Properties", {})
        for name in LOCAL_PATH_PROPERTIES:
            local = properties.get(name)
            if isinstance(local, str) and not local.startswith("s3://"):
                assert (repo / local).exists(), f"{logical_id}.{name}: {local} does not exist"
                properties[name] = f"s3://bucket/{logical_id}/{name}"
    return packaged


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; the template names none."""

    def load(self) -> dict[str, str]:
        return {}


@functools.cache
def _transform(digest: str, repo: Path) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    result: dict[str, Any] = transform(copy.deepcopy(_packaged(repo)), {}, _NoManagedPolicies())
    return result


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_sam_translator_transforms_it(rendered: dict[Combo, Path], combo: Combo,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    repo = rendered[combo]
    output = _transform(_digest(repo), repo)
    types = {resource["Type"] for resource in output["Resources"].values()}
    assert not any(t.startswith("AWS::Serverless::") for t in types)
    assert {"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::KMS::Key",
            "AWS::ApiGatewayV2::Api", "AWS::Lambda::EventSourceMapping"} <= types
    assert ("AWS::StepFunctions::StateMachine" in types) is combo.workflow


def test_workflow_is_encrypted_and_substitutes_the_receiver_alias(
        rendered: dict[Combo, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    repo = rendered[Combo("python3.13", "github", True)]
    output = _transform(_digest(repo), repo)
    (machine,) = [r for r in output["Resources"].values()
                  if r["Type"] == "AWS::StepFunctions::StateMachine"]
    properties = machine["Properties"]
    assert properties["EncryptionConfiguration"] == {
        "Type": "CUSTOMER_MANAGED_KMS_KEY",
        "KmsKeyId": {"Fn::GetAtt": ["ServiceKey", "Arn"]},
        "KmsDataKeyReusePeriodSeconds": 300,
    }
    # `!Ref ReceiverFunction.Alias` is resolved by SAM even in a plain CloudFormation resource.
    assert properties["DefinitionSubstitutions"]["ReceiverFunctionArn"] == {
        "Ref": "ReceiverFunctionAliasdev"}
    definition = (repo / "workflows/process-item/process-item.asl.json").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", definition)) == set(properties["DefinitionSubstitutions"])
    assert "arn:" not in definition


def test_every_function_has_the_globals_and_own_log_group(rendered: dict[Combo, Path]) -> None:
    repo = rendered[Combo("nodejs22.x", "github", True)]
    template = _packaged(repo)
    function_globals = template["Globals"]["Function"]
    assert function_globals["Tracing"] == "Active"
    assert function_globals["LoggingConfig"]["LogFormat"] == "JSON"
    assert function_globals["AutoPublishAlias"] == {"Ref": "Stage"}
    assert function_globals["KmsKeyArn"] == {"Fn::GetAtt": ["ServiceKey", "Arn"]}
    assert function_globals["Runtime"] == "nodejs22.x"
    key = template["Resources"]["ServiceKey"]
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True
    principals = [s["Principal"] for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert all("AWS" not in p or "${AWS::AccountId}:root" in json.dumps(p) for p in principals)


def test_x86_and_custom_answers_lint_clean(tmp_path: Path) -> None:
    from svc_serverless.scaffold.create import NewRequest, new_service

    repo = new_service(NewRequest(name="ledger", owner="group:default/team-money",
                                  architecture="x86_64", output_dir=tmp_path, git=False,
                                  data={"entity": "line-item", "memory_size": "1024",
                                        "timeout": "30", "log_retention_days": "365"}))
    text = (repo / "template.yaml").read_text(encoding="utf-8")
    assert _cfn_lint(text) == ()
    # Six function timeouts plus the 5-second batching window; the router stays under the
    # HTTP API's 30-second limit.
    assert "Architectures: [x86_64]" in text and "VisibilityTimeout: 185" in text
    assert "      Timeout: 29\n" in text
    assert (repo / "CODEOWNERS").read_text().splitlines()[-1] == "* @team-money"


# ---------------------------------------------------------------- CI, manifest, config


def _check_jsonschema(schema: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                           *map(str, paths)], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("ci,schema", [("github", "vendor.github-workflows"),
                                       ("gitlab", "vendor.gitlab-ci")])
def test_ci_files_validate_against_their_public_schema(rendered: dict[Combo, Path], ci: str,
                                                       schema: str, tmp_path: Path) -> None:
    paths = [repo / CI_FILES[ci] for combo, repo in rendered.items() if combo.ci == ci]
    assert len(paths) == len([combo for combo in COMBOS if combo.ci == ci]) >= 10
    result = _check_jsonschema(schema, paths)
    assert result.returncode == 0, result.stdout + result.stderr
    # The validator is not vacuous: a broken file of the same kind fails.
    broken = tmp_path / Path(CI_FILES[ci]).name
    broken.write_text("jobs: 5\n" if ci == "github" else "stages: 5\n", encoding="utf-8")
    assert _check_jsonschema(schema, [broken]).returncode != 0


@pytest.mark.parametrize("combo", [c for c in COMBOS if c.ci == "codebuild"], ids=combo_ids)
def test_buildspec_has_the_codebuild_structure(rendered: dict[Combo, Path], combo: Combo) -> None:
    # CodeBuild publishes no JSON Schema: check the structure it documents.
    spec = yaml.safe_load((rendered[combo] / "buildspec.yml").read_text(encoding="utf-8"))
    assert spec["version"] == 0.2
    assert set(spec["phases"]) <= {"install", "pre_build", "build", "post_build"}
    commands = [c for phase in spec["phases"].values() for c in phase["commands"]]
    assert all(isinstance(c, str) for c in commands)
    assert any("sam validate --lint" in c for c in commands)
    assert any("svc lint" in c for c in commands)
    assert any(c == "sam build" for c in commands)
    assert any(c.startswith("sam package --s3-bucket \"$ARTIFACTS_BUCKET\"") for c in commands)
    assert spec["artifacts"] == {"files": ["packaged.yaml"]}
    assert any(c in {"python -m pytest", "npm test"} for c in commands)
    runtimes = spec["phases"]["install"]["runtime-versions"]
    assert ("nodejs" in runtimes) is not combo.python


@pytest.mark.parametrize("combo", [c for c in COMBOS if c.ci in {"github", "gitlab"}],
                         ids=combo_ids)
def test_ci_runs_tests_validate_lint_and_build(rendered: dict[Combo, Path], combo: Combo) -> None:
    text = (rendered[combo] / CI_FILES[combo.ci]).read_text(encoding="utf-8")
    for step in ("sam validate --lint", "svc lint", "sam build",
                 "python -m pytest" if combo.python else "npm test"):
        assert step in text, step


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_manifest_validates_and_declares_the_service(rendered: dict[Combo, Path],
                                                     combo: Combo) -> None:
    schema = json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8"))
    manifest = yaml.safe_load((rendered[combo] / "catalog-info.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)
    assert manifest["metadata"]["name"] == SERVICE
    assert manifest["spec"]["owner"] == OWNER
    svc = manifest["spec"]["svc"]
    assert svc["ssmPrefix"] == f"/{SERVICE}/"
    assert svc["apis"] == {"provides": [{"name": f"{SERVICE}-api", "basePath": f"/{SERVICE}"}]}
    # The workflow's trigger consumes the service's own ItemCreated.
    started_by_event = combo.workflow and combo.trigger == "event"
    assert svc["events"] == {
        "publishes": [{"source": SERVICE, "detailType": f"Item{verb}"}
                      for verb in ("Created", "Updated", "Deleted")],
        "consumes": [{"source": SERVICE, "detailType": "ItemCreated"}] if started_by_event else [],
    }


@pytest.mark.parametrize("combo", COMBOS[:2], ids=combo_ids)
def test_config_files_parse(rendered: dict[Combo, Path], combo: Combo) -> None:
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads TOML")
    repo = rendered[combo]
    config = tomllib.loads((repo / "samconfig.toml").read_text(encoding="utf-8"))
    for stage in ("dev", "staging", "prod"):
        deploy = config[stage]["deploy"]["parameters"]
        assert config[stage]["global"]["parameters"]["stack_name"] == f"{SERVICE}-{stage}"
        assert deploy["parameter_overrides"] == f'Stage="{stage}"'
    assert config["default"]["global"]["parameters"]["stack_name"] == f"{SERVICE}-dev"
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook_ids = {hook["id"] for entry in hooks["repos"] for hook in entry["hooks"]}
    assert {"check-merge-conflict", "cfn-lint", "svc-lint", "no-rej-files"} <= hook_ids
    assert (repo / "CODEOWNERS").read_text().splitlines()[-1] == f"* @{OWNER}"
    for path in (repo / "events").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_generated_python_is_ruff_clean_even_with_the_longest_names(tmp_path: Path) -> None:

    from svc_serverless.scaffold.create import NewRequest, new_service

    longest = "abcdefghij-abcdefghij-abcdefghij-abcdefg"
    repo = new_service(NewRequest(name=longest, owner=OWNER, output_dir=tmp_path, git=False,
                                  data={"entity": "abcdefghij-abcdefghij-abcdefgh"}))
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command], cwd=repo, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_svc_lint_finds_nothing(rendered: dict[Combo, Path], combo: Combo,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN.md §1: the generated repo passes `svc lint` with zero findings.

    One repo per run: together, 24 copies of one service rightly break the organisation
    rules (duplicate names, events nobody consumes)."""
    import json

    from svc_serverless.cli import main

    code = main(["lint", str(rendered[combo]), "--no-cache", "--jobs", "1", "--fail-on", "info",
                 "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["findings"]) == (0, [])


# ---------------------------------------------------------------- deploy infrastructure


@pytest.mark.parametrize("combo", [c for c in COMBOS if c.ci in PIPELINE_FILES and c.workflow
                                   and c.trigger == "event"], ids=combo_ids)
def test_pipeline_templates_lint_clean(rendered: dict[Combo, Path], combo: Combo) -> None:
    text = (rendered[combo] / PIPELINE_FILES[combo.ci]).read_text(encoding="utf-8")
    matches = _cfn_lint_all(text)
    assert matches == (), "\n".join(matches)


@functools.cache
def _cfn_lint_all(text: str) -> tuple[str, ...]:
    from cfnlint.api import ManualArgs, lint

    matches = lint(text, config=ManualArgs(regions=["us-east-1"], include_checks=["I"]))
    return tuple(str(match) for match in matches)


@pytest.mark.parametrize("combo", [c for c in COMBOS if c.ci in ("github", "gitlab")
                                   and c.trigger == "event"], ids=combo_ids)
def test_ci_deploys_every_stage_with_oidc_and_no_keys(rendered: dict[Combo, Path],
                                                      combo: Combo) -> None:
    ci = yaml.safe_load((rendered[combo] / CI_FILES[combo.ci]).read_text(encoding="utf-8"))
    jobs = ci["jobs"] if combo.ci == "github" else ci
    deploys = {stage: jobs[f"deploy-{stage}"] for stage in ("dev", "staging", "prod")}
    for stage, job in deploys.items():
        # GitLab's deploy jobs extend .deploy, which deploys the job's environment.
        text = json.dumps({**jobs.get(".deploy", {}), **job}).replace('\\"$CI_ENVIRONMENT_NAME\\"', stage)
        assert f"sam deploy --config-env {stage}" in text
        assert "AWS_SECRET_ACCESS_KEY" not in text and "aws_secret_access_key" not in text
        if combo.ci == "github":
            assert job["permissions"] == {"contents": "read", "id-token": "write"}
            assert job["environment"] == stage
            (credentials,) = [s for s in job["steps"]
                              if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
            assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        else:
            assert job["environment"] == {"name": stage}
            assert jobs[".deploy"]["id_tokens"] == {"AWS_ID_TOKEN": {"aud": "sts.amazonaws.com"}}
    # Each stage waits for the one before; prod waits for a person.
    if combo.ci == "github":
        assert [deploys[s]["needs"] for s in deploys] == ["check", "deploy-dev", "deploy-staging"]
    else:
        assert [deploys[s]["needs"][-1] for s in ("staging", "prod")] == [
            {"job": "deploy-dev", "artifacts": False}, {"job": "deploy-staging", "artifacts": False}]
        assert deploys["prod"]["rules"][0]["when"] == "manual"


def test_deploy_roles_trust_the_existing_oidc_provider_only(rendered: dict[Combo, Path]) -> None:
    from cfnlint.decode import decode

    for ci in ("github", "gitlab"):
        repo = rendered[Combo("python3.13", ci, True)]
        template, errors = decode(str(repo / PIPELINE_FILES[ci]))
        assert not errors, errors
        types = {r["Type"] for r in template["Resources"].values()}
        assert "AWS::IAM::OIDCProvider" not in types  # an account singleton: never svc's
        (trust,) = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Federated": {"Ref": "OidcProviderArn"}}
        assert set(trust["Condition"]["StringEquals"]) == {f"{PROVIDER_HOSTS[ci]}:aud",
                                                           f"{PROVIDER_HOSTS[ci]}:sub"}
        policy = json.dumps(template["Resources"]["DeployRole"]["Properties"]["Policies"])
        assert "stack/order-history-${Stage}/*" in policy


PROVIDER_HOSTS = {"github": "token.actions.githubusercontent.com", "gitlab": "gitlab.com"}
