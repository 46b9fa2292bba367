"""Checks that span the functions: the template and the folders agree, and the service
keeps its share-nothing and encryption conventions. Runs without AWS."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = {"requirements.txt", "package.json", "pyproject.toml", "setup.py", "Pipfile"}


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=_CfnLoader)


def resources(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] in types}


def functions(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources(template, "AWS::Serverless::Function").values()]


def test_every_function_folder_is_deployed_and_every_function_has_a_folder(template: dict[str, Any]) -> None:
    code_uris = {function["CodeUri"].rstrip("/") for function in functions(template)}
    folders = {f"functions/{p.name}" for p in (ROOT / "functions").iterdir() if p.is_dir()}
    assert code_uris == folders


def test_each_function_has_exactly_one_dependency_manifest() -> None:
    for folder in (ROOT / "functions").iterdir():
        names = [path.name for path in folder.iterdir()]
        found = sorted(n for n in names if n in MANIFESTS or re.fullmatch(r"requirements.*\.txt", n))
        assert len(found) == 1, f"{folder.name}: {found}"


def test_functions_share_code_only_through_the_layer() -> None:
    for source in (ROOT / "functions").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "functions." not in text and "sys.path" not in text, source


def test_every_log_group_is_encrypted_with_the_service_key_and_expires(template: dict[str, Any]) -> None:
    for name, group in resources(template, "AWS::Logs::LogGroup").items():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": "ServiceKey.Arn"}, name
        assert group["Properties"]["RetentionInDays"] > 0, name


def test_every_function_logs_to_its_own_log_group(template: dict[str, Any]) -> None:
    groups = set(resources(template, "AWS::Logs::LogGroup"))
    used = [function["LoggingConfig"]["LogGroup"]["Ref"] for function in functions(template)]
    assert len(set(used)) == len(used) and set(used) <= groups


def test_data_stores_use_the_service_key(template: dict[str, Any]) -> None:
    key = {"Fn::GetAtt": "ServiceKey.Arn"}
    for table in resources(template, "AWS::DynamoDB::Table").values():
        assert table["Properties"]["SSESpecification"]["KMSMasterKeyId"] == key
    for queue in resources(template, "AWS::SQS::Queue", "AWS::SNS::Topic").values():
        assert queue["Properties"]["KmsMasterKeyId"] == key
    for machine in resources(template, "AWS::StepFunctions::StateMachine").values():
        assert machine["Properties"]["EncryptionConfiguration"]["KmsKeyId"] == key
    assert template["Globals"]["Function"]["KmsKeyArn"] == key


def test_nothing_is_shared_with_other_stacks(template: dict[str, Any]) -> None:
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    assert "ImportValue" not in text
    assert all("Export" not in output for output in template.get("Outputs", {}).values())


def test_workflows_use_substitutions_for_every_arn(template: dict[str, Any]) -> None:
    machines = resources(template, "AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
    for name, machine in machines.items():
        props = machine["Properties"]
        location = props.get("DefinitionS3Location") or props.get("DefinitionUri")
        definition = (ROOT / location).read_text(encoding="utf-8")
        json.loads(definition)
        placeholders = set(re.findall(r"\$\{(\w+)\}", definition))
        assert placeholders == set(props.get("DefinitionSubstitutions", {})), name
        assert "arn:" not in definition, f"{location}: use a placeholder instead of a literal ARN"


def test_every_workflow_folder_has_its_contract() -> None:
    workflows = ROOT / "workflows"
    for folder in workflows.iterdir() if workflows.is_dir() else []:
        assert (folder / f"{folder.name}.asl.json").is_file()
        assert (folder / "README.md").is_file()
