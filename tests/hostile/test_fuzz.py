"""Property: whatever shape a template, manifest, policy or facts file has, `svc lint` reports it.

Hypothesis generates type-confused documents (a list where a mapping belongs, a number where a
string does, intrinsic functions with odd arguments, at every level) and each run must end in
exit 0 or 1 (2 for the operator's own --config), with no rule crashed (SVC001), no traceback,
and within a second. Derandomized with a fixed example budget, so CI runs the same examples
every time, in a few seconds.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import harness

TIME_LIMIT = 1.0
FUZZ = settings(max_examples=100, derandomize=True, deadline=3000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

INTRINSICS = ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::ImportValue",
              "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::Base64", "Fn::GetAZs",
              "Fn::Equals", "Condition", "Fn::Transform")
WORDS = ("", "x", "*", "..", "../../x", "/etc/passwd", "arn:aws:iam::123456789012:role/x",
         "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default",
         "${AWS::AccountId}", "${", "${Missing}", "alias/aws/s3", "functions/api/",
         "events:PutEvents", "kms:*", "AWS::SQS::Queue", "python3.13", "{\"source\": [\"x\"]}",
         "svc-dev", "\u202e\x1b[31m", "1.0", "CodeUri")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(WORDS),
    st.text(max_size=12),
)


def _intrinsic(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda name, arg: {name: arg}, st.sampled_from(INTRINSICS), children)


# Keys the rules look for below a resource's properties, so nested shapes get confused too.
NESTED_KEYS = ("Statement", "Effect", "Action", "Resource", "Principal", "Condition",
               "Variables", "Type", "Properties", "Pattern", "Queue", "Topic", "EventBusName",
               "source", "detail-type", "detail", "Service", "AWS", "Bucket", "Key", "Name",
               "Value", "Export", "Arn", "KMSMasterKeyID", "SSEEnabled", "SSEType", "Path",
               "Method", "ApiId", "RestApiId", "BasePath", "DomainName", "LayerName")

values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(WORDS + NESTED_KEYS), st.text(max_size=8)),
                        children, max_size=4),
        _intrinsic(children),
    ),
    max_leaves=25,
)

RESOURCE_TYPES = (
    "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::Serverless::StateMachine",
    "AWS::StepFunctions::StateMachine", "AWS::DynamoDB::Table", "AWS::SQS::Queue",
    "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::KMS::Key", "AWS::KMS::Alias",
    "AWS::Events::Rule", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::S3::Bucket",
    "AWS::Logs::LogGroup", "AWS::SSM::Parameter", "AWS::Serverless::LayerVersion",
    "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::Account",
)
PROPERTIES = (
    "CodeUri", "Code", "Handler", "Runtime", "Role", "Layers", "Policies", "Environment",
    "Events", "KmsKeyArn", "KmsMasterKeyId", "SSESpecification", "KeyPolicy",
    "EnableKeyRotation", "EventPattern", "TopicArn", "FilterPolicy", "Definition",
    "DefinitionUri", "DefinitionS3Location", "DefinitionString", "DefinitionSubstitutions",
    "PolicyDocument", "AssumeRolePolicyDocument", "Name", "TableName", "QueueName",
    "BucketEncryption", "KmsKeyId", "TargetKeyId", "AliasName", "Domain", "Value",
    "ContentUri", "EncryptionConfiguration", "Statement", "Properties",
)

properties = st.one_of(values, st.dictionaries(st.sampled_from(PROPERTIES), values, max_size=6))
resource = st.one_of(
    values,
    st.fixed_dictionaries(
        {"Type": st.one_of(st.sampled_from(RESOURCE_TYPES), values)},
        optional={"Properties": properties, "Metadata": values, "DependsOn": values,
                  "Condition": values},
    ),
)
SECTIONS = ("Resources", "Globals", "Metadata", "Outputs", "Parameters", "Conditions",
            "Mappings", "Transform", "Description")
templates = st.fixed_dictionaries(
    {"Resources": st.one_of(values, st.dictionaries(st.text(min_size=1, max_size=10), resource,
                                                    max_size=5))},
    optional={
        "Globals": st.one_of(values, st.dictionaries(
            st.sampled_from(("Function", "Api", "HttpApi", "StateMachine", "SimpleTable")),
            properties, max_size=3)),
        "Metadata": st.one_of(values, st.fixed_dictionaries({"svc": st.one_of(
            values, st.fixed_dictionaries({"ignore": values}))})),
        **{name: values for name in SECTIONS[3:]},
    },
)
manifests = st.one_of(values, st.fixed_dictionaries(
    {},
    optional={
        "apiVersion": values, "kind": values,
        "metadata": st.one_of(values, st.fixed_dictionaries({}, optional={
            "name": values, "annotations": values})),
        "spec": st.one_of(values, st.fixed_dictionaries({}, optional={
            "owner": values, "lifecycle": values, "system": values, "providesApis": values,
            "consumesApis": values,
            "svc": st.one_of(values, st.fixed_dictionaries({}, optional={
                "domain": values, "ssmPrefix": values,
                "apis": st.one_of(values, st.fixed_dictionaries(
                    {}, optional={"provides": values, "consumes": values})),
                "events": st.one_of(values, st.fixed_dictionaries(
                    {}, optional={"publishes": values, "consumes": values})),
            })),
        })),
    },
))
policies = st.one_of(values, st.fixed_dictionaries({}, optional={
    "version": st.one_of(st.just(1), values), "select": values, "ignore": values,
    "mandatory": values, "severity": values, "layout": values, "scaffold": values,
}))


def _dump(data: Any, as_yaml: bool) -> str:
    if as_yaml:
        return yaml.safe_dump(data, allow_unicode=True)
    return json.dumps(data)


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _check(argv: list[str], allowed: tuple[int, ...] = (0, 1)) -> None:
    outcome = harness.run_lint(["--format", "json", "--no-cache", *argv])
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.code in allowed, outcome.stderr
    assert outcome.seconds < TIME_LIMIT
    if outcome.report:
        crashed = [f["message"] for f in outcome.report["findings"] if f["rule"] == "SVC001"]
        assert crashed == [] and outcome.report["summary"]["crashes"] == 0, crashed


@FUZZ
@given(template=templates, as_yaml=st.booleans())
def test_any_template_shape_is_linted(template: dict[str, Any], as_yaml: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        name = "template.yaml" if as_yaml else "template.json"
        root = _repo(Path(tmp) / "svc", {name: _dump(template, as_yaml),
                                         "functions/api/handler.py": "x = 1\n"})
        _check([str(root)])


@FUZZ
@given(manifest=manifests, answers=values)
def test_any_manifest_and_answers_shape_is_linted(manifest: Any, answers: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _repo(Path(tmp) / "svc", {
            "template.yaml": "Resources: {}\n",
            "catalog-info.yaml": _dump(manifest, as_yaml=True),
            ".svc/answers.json": json.dumps({"svc_version": answers, "answers": answers}),
        })
        _check([str(root)])


@FUZZ
@given(policy=policies)
def test_any_policy_shape_is_linted_or_refused_in_one_line(policy: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = _dump(policy, as_yaml=True)
        root = _repo(Path(tmp) / "svc", {"template.yaml": "Resources: {}\n",
                                         ".svc/policy.yaml": text})
        _check([str(root)])
        config = Path(tmp) / "org-policy.yaml"
        config.write_text(text, encoding="utf-8")
        _check(["--config", str(config), str(root)], allowed=(0, 1, 2))


def _facts_base() -> dict[str, Any]:
    from svc_serverless.linter.facts import facts_json_for_path

    with tempfile.TemporaryDirectory() as tmp:
        org, _ = harness.make_org(Path(tmp))
        data: dict[str, Any] = json.loads(facts_json_for_path(org / "good"))
        return data


FACTS = _facts_base()
FACT_KEYS = tuple(FACTS)
ITEM = {"source": values, "detail_type": values, "at": values, "channel": values,
        "origin": values, "resource": values, "name": values, "base_path": values,
        "value": values, "kind": values}
facts_changes = st.dictionaries(
    st.sampled_from(FACT_KEYS),
    st.one_of(values, st.lists(st.fixed_dictionaries({}, optional=ITEM), max_size=3)),
    min_size=1, max_size=4,
)


@FUZZ
@given(changes=facts_changes)
def test_any_facts_file_shape_is_linted_or_listed_as_unreadable(changes: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "facts"
        folder.mkdir()
        (folder / "good.json").write_text(json.dumps(FACTS), encoding="utf-8")
        other = {**FACTS, "service": "other", "folder": "other", **changes}
        (folder / "other.json").write_text(json.dumps(other), encoding="utf-8")
        _check(["--facts", str(folder)])


# YAML text built from the pieces the loader must survive: tags, anchors, aliases, merge keys,
# directives, flow and block collections, numbers of every form.
TOKENS = ("a", "b", ": ", "- ", "\n", "\n  ", "\n    ", "{", "}", "[", "]", ", ", "&x ", "*x",
          "&y ", "*y", "<<: ", "!!int ", "!!float ", "!!bool ", "!!str ", "!!seq ", "!!map ",
          "!!set ", "!!omap ", "!!binary ", "!!timestamp ", "!!null ", "!!python/name:os.system ",
          "!Ref ", "!GetAtt ", "!Sub ", "!If ", "!Join ", "? ", "%YAML 1.1\n", "---\n", "...\n",
          "1" * 1200, "0x" + "f" * 400, "1:2:3", ".inf", ".nan", "1e400", "2001-13-45",
          "\"\\u0000\"", "'", "\"", "|\n  x", ">-\n  y", "#c", "\t", "~", "yes", "Resources")
yaml_texts = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@FUZZ
@given(text=yaml_texts, where=st.sampled_from(
    ("template.yaml", "catalog-info.yaml", ".svc/policy.yaml", "workflows/f/f.asl.yaml")))
def test_any_yaml_text_is_read_or_refused(text: str, where: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = {"template.yaml": "Resources: {F: {Type: AWS::StepFunctions::StateMachine, "
                                  "Properties: {DefinitionS3Location: workflows/f/f.asl.yaml}}}\n"}
        files[where] = text
        _check([str(_repo(Path(tmp) / "svc", files))])
