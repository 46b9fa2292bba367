"""The editor changes only the lines an edit adds or replaces: the rest are the user's bytes."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from svc_serverless.edit.write import check_yaml, write_atomic
from svc_serverless.edit.yamledit import EditError, YamlEditor
from svc_serverless.linter.cfnyaml import loads

# Hand-written: 4-space indentation, lists not indented, flow mappings, comments, odd quoting
# and every CloudFormation short tag.
HAND_WRITTEN = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform:
- AWS::Serverless-2016-10-31
# the service's parameters
Parameters:
    Stage: {Type: String, AllowedValues: [dev, prod]}   # stages
    Cidr:
        Type: String
        Default: "10.0.0.0/16"
Mappings:
    Sizes: {dev: {Memory: 128}, prod: {Memory: 1024}}
Conditions:
    IsProd: !Equals [!Ref Stage, prod]
    NotProd: !Not [!Condition IsProd]
    Both: !And [!Condition IsProd, !Or [!Condition IsProd, !Condition NotProd]]
Resources:
    ServiceKey:   # the service's own key
        Type: AWS::KMS::Key
        Properties:
            EnableKeyRotation: true
    Table:
        Type: AWS::DynamoDB::Table
        Properties:
            TableName: !Sub '${AWS::StackName}-items'
            Tags:
            - {Key: a, Value: !Select [0, !GetAZs '']}
            - Key: b
              Value: !Join ['-', !Split [',', 'x,y']]
            - Key: c
              Value: !ImportValue other-stack-Value
            - {Key: d, Value: !Base64 'x'}
    Subnets:
        Type: AWS::EC2::Subnet
        Properties:
            CidrBlock: !Select [0, !Cidr [!Ref Cidr, 4, 8]]
            VpcId: !If [IsProd, !GetAtt Vpc.VpcId, !Ref "AWS::NoValue"]
            AvailabilityZone: !FindInMap [Sizes, !Ref Stage, Memory]
    Macro:
        Type: AWS::S3::Bucket
        Properties: !Transform {Name: Upper, Parameters: {a: b}}
# trailing comment kept
Outputs:
    TableName: {Value: !Ref Table}
"""


def _diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_adding_a_resource_adds_only_its_lines() -> None:
    editor = YamlEditor(HAND_WRITTEN)
    editor.add(["Resources"], "Queue", {
        "Type": "AWS::SQS::Queue",
        "Properties": {"KmsMasterKeyId": {"Ref": "ServiceKey"},
                       "Tags": [{"Key": "team", "Value": "a b"}]},
    })
    after = editor.text()
    assert after.encode().startswith(HAND_WRITTEN.split("# trailing")[0].encode())
    assert _diff(HAND_WRITTEN, after) == [
        "+    Queue:\n",
        "+        Type: AWS::SQS::Queue\n",
        "+        Properties:\n",
        "+            KmsMasterKeyId: !Ref ServiceKey\n",
        "+            Tags:\n",
        "+            - Key: team\n",
        "+              Value: a b\n",
    ]
    data = loads(after)
    assert data["Resources"]["Queue"]["Properties"]["KmsMasterKeyId"] == {"Ref": "ServiceKey"}
    assert data["Outputs"] == loads(HAND_WRITTEN)["Outputs"]


def test_setting_a_property_merges_and_replaces_in_place() -> None:
    editor = YamlEditor(HAND_WRITTEN)
    editor.set(["Resources", "Table", "Properties", "SSESpecification"],
               {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "ServiceKey"}})
    editor.set(["Resources", "ServiceKey", "Properties", "EnableKeyRotation"], False)
    editor.set(["Parameters", "Stage", "Description"], "the stage")
    after = editor.text()
    assert _diff(HAND_WRITTEN, after) == [
        "-    Stage: {Type: String, AllowedValues: [dev, prod]}   # stages\n",
        "+    Stage: {Type: String, AllowedValues: [dev, prod], Description: the stage}   # stages\n",
        "-            EnableKeyRotation: true\n",
        "+            EnableKeyRotation: false\n",
        "+            SSESpecification:\n",
        "+                SSEEnabled: true\n",
        "+                SSEType: KMS\n",
        "+                KMSMasterKeyId: !Ref ServiceKey\n",
    ]
    check_yaml(after, "template")


def test_indented_lists_and_two_spaces_are_followed() -> None:
    text = "Resources:\n  Fn:\n    Type: X\n    Properties:\n      Layers:\n        - !Ref L\n"
    editor = YamlEditor(text)
    editor.set(["Resources", "Fn", "Properties", "Policies"], [{"Statement": [{"Effect": "Allow"}]}])
    assert editor.text() == text + (
        "      Policies:\n        - Statement:\n            - Effect: Allow\n")
    loads(editor.text())


def test_a_file_without_final_newline_gets_one_before_the_insert() -> None:
    editor = YamlEditor("Resources:\n  A: {Type: X}")
    editor.add(["Resources"], "B", {"Type": "Y"})
    assert editor.text() == "Resources:\n  A: {Type: X}\n  B:\n    Type: Y\n"


def test_adding_an_existing_key_is_refused() -> None:
    with pytest.raises(EditError, match="Resources/Table already exists"):
        YamlEditor(HAND_WRITTEN).add(["Resources"], "Table", {"Type": "X"})


def test_a_result_svc_cannot_parse_is_refused() -> None:
    with pytest.raises(EditError, match="would not parse"):
        check_yaml("a: 1\na: 2\n", "template")


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "template.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["template.yaml"]


def test_append_to_flow_and_block_lists() -> None:
    text = "spec:\n  consumes: []\n  publishes:\n  - source: a\n    detailType: B\n# end\n"
    editor = YamlEditor(text)
    editor.append(["spec", "consumes"], {"source": "x", "detailType": "Y"})
    editor.append(["spec", "publishes"], {"source": "c", "detailType": "D"})
    editor.append(["spec", "apis"], "z")
    assert editor.text() == (
        "spec:\n  consumes: [{source: x, detailType: Y}]\n  publishes:\n  - source: a\n"
        "    detailType: B\n  - source: c\n    detailType: D\n  apis:\n  - z\n# end\n")
