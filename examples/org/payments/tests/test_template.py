"""Checks that span the functions: the template and the folders agree, and the service
keeps its share-nothing, encryption and operations contracts (partial batch responses, queue
timeouts, alarms, gradual deploys, scoped key policy). Runs without AWS."""

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


def functions_by_id(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in resources(template, "AWS::Serverless::Function").items()}


def setting(template: dict[str, Any], function: dict[str, Any], name: str) -> Any:
    """A function property, or its Globals value."""
    return function.get(name, template.get("Globals", {}).get("Function", {}).get(name))


def event_sources(template: dict[str, Any], *types: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, event["Properties"])
        for name, function in functions_by_id(template).items()
        for event in function.get("Events", {}).values()
        if event["Type"] in types
    ]


def refs(value: Any) -> set[str]:
    """Every logical id that `value` references (Ref, GetAtt, ${X} in Sub)."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add((item if isinstance(item, str) else item[0]).split(".")[0])
            elif key == "Fn::Sub" and isinstance(item, str):
                found.update(name.split(".")[0] for name in re.findall(r"\$\{([A-Za-z0-9.]+)\}", item))
            else:
                found |= refs(item)
        return found
    if isinstance(value, list):
        return set().union(*map(refs, value)) if value else set()
    return set()


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in resources(template, "AWS::CloudWatch::Alarm").items()}


def test_stream_and_queue_sources_report_partial_batch_failures(template: dict[str, Any]) -> None:
    sources = event_sources(template, "SQS", "DynamoDB", "Kinesis")
    assert sources
    for function, source in sources:
        # Without it one bad record sends its whole batch back: records are processed again.
        assert "ReportBatchItemFailures" in source.get("FunctionResponseTypes", []), function


def test_queue_visibility_timeout_outlasts_every_attempt(template: dict[str, Any]) -> None:
    functions = functions_by_id(template)
    queues = resources(template, "AWS::SQS::Queue")
    for function, source in event_sources(template, "SQS"):
        queue = queues[refs(source["Queue"]).pop()]["Properties"]
        timeout = setting(template, functions[function], "Timeout")
        window = source.get("MaximumBatchingWindowInSeconds", 0)
        # Lambda's rule for SQS sources: otherwise a message still being processed is delivered again.
        assert queue["VisibilityTimeout"] >= 6 * timeout + window, function


def test_functions_have_bounded_concurrency(template: dict[str, Any]) -> None:
    for name, function in functions_by_id(template).items():
        reserved = setting(template, function, "ReservedConcurrentExecutions")
        assert isinstance(reserved, int) and reserved > 0, name
    functions = functions_by_id(template)
    for function, source in event_sources(template, "SQS"):
        reserved = setting(template, functions[function], "ReservedConcurrentExecutions")
        assert 2 <= source["ScalingConfig"]["MaximumConcurrency"] <= reserved, function


def test_the_router_answers_within_the_http_api_limit(template: dict[str, Any]) -> None:
    for name, function in functions_by_id(template).items():
        if any(event["Type"] in ("HttpApi", "Api") for event in function.get("Events", {}).values()):
            assert setting(template, function, "Timeout") <= 29, name


def test_every_function_deploys_gradually_and_rolls_back_on_its_alarm(template: dict[str, Any]) -> None:
    all_alarms = alarms(template)
    assert template["Globals"]["Function"]["AutoPublishAlias"]
    for name, function in functions_by_id(template).items():
        preference = function.get("DeploymentPreference")
        assert preference, f"{name} has no DeploymentPreference: a bad deploy reaches all traffic at once"
        kind = preference["Type"]
        # All at once in dev only; every other stage starts with a canary.
        assert kind.get("Fn::If", [None, None, "AllAtOnce"])[1:] == ["AllAtOnce", kind["Fn::If"][2]], name
        assert not kind["Fn::If"][2].startswith("AllAtOnce"), name
        rollback = refs(preference.get("Alarms", []))
        watching = [alarm for alarm in rollback if name in refs(all_alarms.get(alarm))]
        assert watching, f"{name}: no rollback alarm watches this function"


def test_every_function_has_an_alarm_on_its_failures(template: dict[str, Any]) -> None:
    all_alarms = alarms(template)
    for name in functions_by_id(template):
        assert any(name in refs(alarm) for alarm in all_alarms.values()), name


def test_every_dead_letter_queue_and_the_api_have_alarms(template: dict[str, Any]) -> None:
    watched = set().union(*(refs(alarm) for alarm in alarms(template).values()))
    dead_letter = {
        refs(queue["Properties"]["RedrivePolicy"]).pop()
        for queue in resources(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }
    streams = event_sources(template, "DynamoDB")
    dead_letter |= {refs(source["DestinationConfig"]).pop() for _, source in streams}
    assert dead_letter and dead_letter <= watched, dead_letter - watched
    api_alarms = [alarm for alarm in alarms(template).values() if "Api" in refs(alarm)]
    metrics = {json.dumps(alarm, sort_keys=True) for alarm in api_alarms}
    assert any('"5xx"' in m for m in metrics), "no alarm on the API's 5xx answers"
    assert any('"Latency"' in m for m in metrics), "no alarm on the API's latency"
    for function, _ in streams:
        ages = [alarm for alarm in alarms(template).values() if alarm.get("MetricName") == "IteratorAge"]
        assert any(function in refs(alarm) for alarm in ages), f"{function}: no alarm on its iterator age"
    for name, alarm in alarms(template).items():
        assert alarm.get("AlarmActions"), f"{name} notifies nobody"


def test_key_policy_lets_services_act_only_for_this_stack(template: dict[str, Any]) -> None:
    statements = template["Resources"]["ServiceKey"]["Properties"]["KeyPolicy"]["Statement"]
    services = [s for s in statements if "Service" in s["Principal"]]
    assert services
    for statement in services:
        tests = statement.get("Condition", {}).values()
        conditions = {key: value for test in tests for key, value in test.items()}
        sid = statement["Sid"]
        if "kms:EncryptionContext:aws:logs:arn" in conditions:
            # CloudWatch Logs names the log group in the encryption context: this stack's only.
            assert "${AWS::StackName}-" in conditions["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"], sid
        else:
            assert conditions.get("aws:SourceAccount") == {"Ref": "AWS::AccountId"}, sid
            assert "${AWS::AccountId}" in conditions["aws:SourceArn"]["Fn::Sub"], sid
