"""Facts: extraction from a realistic repo, `svc facts`, the JSON form, and `svc lint --facts`.

The central promise: linting an organisation from published facts files gives the same
organisation findings as linting the repos themselves (test_lint_from_facts_equals_lint_from_repos).
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import pytest
import yaml

import svc_serverless
from svc_serverless.cli import main
from svc_serverless.errors import SvcError
from svc_serverless.linter.facts import (
    ANY_VALUE,
    FACTS_VERSION,
    SCHEMA_PATH,
    Api,
    Event,
    Loc,
    Matcher,
    Name,
    Reference,
    exact,
    extract_facts,
    facts_from_json,
    facts_json_for_path,
    facts_to_json,
    results_from_facts_dir,
)
from svc_serverless.linter.model import find_template, load_repo
from tests.corpus import CORPUS, needs_corpus
from tests.org.test_cases import load_cases, write_repos

MANIFEST = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: service
  lifecycle: production
  owner: team-orders
  system: shop
  providesApis: [orders-api, orders-admin-api]
  consumesApis: [payments-api]
  svc:
    domain: sales
    ssmPrefix: /orders/
    apis:
      provides:
        - name: orders-api
          basePath: /orders
    events:
      publishes:
        - source: orders
          detailType: OrderPlaced
      consumes:
        - source: payments
          detailType: PaymentTaken
"""

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: python3.13
    Environment:
      Variables:
        EVENT_SOURCE: orders-events
        TABLE_NAME: !Ref Table
Resources:
  ServiceKey:
    Type: AWS::KMS::Key
  ServiceKeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: !Sub alias/${AWS::StackName}
      TargetKeyId: !Ref ServiceKey
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub ${AWS::StackName}-${Stage}-orders
  ApiUrlParameter:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub /orders/${Stage}/api-url
      Type: String
      Value: https://example.com
  RouterFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/router/
      Handler: handler.handler
      Policies:
        - Statement:
            - Sid: PublishOwnEvents
              Effect: Allow
              Action: events:PutEvents
              Resource: !Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default
              Condition:
                StringEquals:
                  events:source: orders
      Events:
        Payments:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [payments]
              detail-type: [PaymentTaken, {prefix: PaymentFail}]
  ReceiverFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/receiver/
      Handler: handler.handler
      Environment:
        Variables:
          PRICES: "{{resolve:ssm:/pricing/table}}"
          SHIPPING: !ImportValue shipping-TableName
  Mapping:
    Type: AWS::ApiGatewayV2::ApiMapping
    Properties:
      ApiId: !Ref Api
      DomainName: api.example.com
      Stage: !Ref Stage
      ApiMappingKey: orders
  Alarms:
    Type: AWS::SNS::Subscription
    Properties:
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      TopicArn: !Sub arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:platform-alarms
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  ApiUrl:
    Value: https://example.com/orders
  TableName:
    Value: !Ref Table
    Export:
      Name: !Sub ${AWS::StackName}-TableName
"""

ANSWERS = """\
{
  "svc_version": "0.1.0",
  "template_fingerprint": "0123abcd",
  "answers": {"service_name": "orders"}
}
"""


def at(file: str, text: str, needle: str, nth: int = 1) -> Loc:
    """Where the nth occurrence of needle starts in text, as a Loc (1-based line and column)."""
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return Loc(file, line, col)


def tpl(needle: str, nth: int = 1) -> Loc:
    return at("template.yaml", TEMPLATE, needle, nth)


def man(needle: str, nth: int = 1) -> Loc:
    return at("catalog-info.yaml", MANIFEST, needle, nth)


@pytest.fixture
def orders_repo(tmp_path: Path) -> Path:
    root = tmp_path / "orders-service"
    write_repos(tmp_path, {"orders-service": {"files": {
        "template.yaml": TEMPLATE, "catalog-info.yaml": MANIFEST, ".svc/answers.json": ANSWERS,
    }}})
    return root


def test_extracts_identity_and_scaffold_version(orders_repo: Path) -> None:
    facts = extract_facts(load_repo(orders_repo))
    assert (facts.service, facts.folder, facts.owner) == ("orders", "orders-service", "team-orders")
    assert (facts.lifecycle, facts.system, facts.domain) == ("production", "shop", "sales")
    assert facts.service_loc == man("orders")
    assert (facts.manifest, facts.template, facts.template_ok) == ("svc", "template.yaml", True)
    assert facts.scaffold_version == "0.1.0"
    assert facts.scaffold_loc == Loc(".svc/answers.json", 2, 3)


def test_extracts_events_from_manifest_and_template(orders_repo: Path) -> None:
    facts = extract_facts(load_repo(orders_repo))
    assert facts.publishes == (
        Event(exact("orders"), exact("OrderPlaced"), man("source: orders")),
        Event(exact("orders"), ANY_VALUE, tpl("orders\n      Events:"), origin="template",
              resource="RouterFunction"),
    )
    assert facts.consumes == (
        Event(exact("payments"), exact("PaymentTaken"), man("source: payments")),
        # one consumed event per source x detail-type, at the source's line
        Event(exact("payments"), exact("PaymentTaken"), tpl("payments]"), origin="template",
              resource="RouterFunction"),
        Event(exact("payments"), Matcher("prefix", ("PaymentFail",)), tpl("payments]"),
              origin="template", resource="RouterFunction"),
        # a subscription to a topic of another stack is consuming that channel
        Event(exact("platform-alarms"), ANY_VALUE, tpl("!Sub arn:${AWS::Partition}:sns"),
              channel="sns", origin="template", resource="Alarms"),
    )


def test_extracts_apis_names_and_references(orders_repo: Path) -> None:
    facts = extract_facts(load_repo(orders_repo))
    assert facts.apis_provided == (
        Api("orders-api", "/orders", man("name: orders-api")),
        Api("orders-admin-api", "", man("orders-admin-api"), "backstage"),
        Api("", "/orders", tpl("orders\n  Alarms"), "template"),
    )
    assert facts.apis_used == (Name("payments-api", man("payments-api"), "api"),)
    assert facts.outputs == (
        Name("ApiUrl", tpl("ApiUrl:\n"), "output"),
        Name("TableName", tpl("TableName:\n    Value"), "output"),
        Name("orders-TableName", tpl("!Sub ${AWS::StackName}-TableName"), "export"),
    )
    assert facts.kms_keys == (
        Name("ServiceKey", tpl("ServiceKey:"), "key"),
        Name("alias/orders", tpl("!Sub alias/"), "alias"),
    )
    assert facts.ssm_prefixes == (
        Name("/orders/", man("/orders/"), "manifest"),
        Name("/orders/", tpl("!Sub /orders/"), "template"),
    )
    assert facts.owned_names == (
        Name("alias/orders", tpl("!Sub alias/"), "kms"),
        Name("orders-dev-orders", tpl("!Sub ${AWS::StackName}-${Stage}"), "dynamodb"),
    )
    assert facts.references == (
        Reference("name", "orders-events", tpl("orders-events")),
        Reference("arn", "events:default", tpl("!Sub arn:${AWS::Partition}:events")),
        Reference("ssm", "/pricing/table", tpl('"{{resolve')),
        Reference("import", "shipping-TableName", tpl("!ImportValue")),
    )


def test_facts_are_frozen_hashable_picklable_and_round_trip_exactly(orders_repo: Path) -> None:
    facts = extract_facts(load_repo(orders_repo))
    assert facts_from_json(json.loads(json.dumps(facts_to_json(facts)))) == facts
    assert pickle.loads(pickle.dumps(facts)) == facts
    assert hash(facts) == hash(facts_from_json(facts_to_json(facts)))
    with pytest.raises(AttributeError):
        facts.service = "other"  # type: ignore[misc]


def test_facts_json_is_versioned_and_matches_its_schema(orders_repo: Path) -> None:
    data = facts_to_json(extract_facts(load_repo(orders_repo)))
    assert data["version"] == FACTS_VERSION
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    # matchers read like event patterns
    assert data["consumes"][2]["detail_type"] == {"prefix": "PaymentFail"}
    assert data["publishes"][1]["detail_type"] is None


def test_odd_templates_and_manifests_give_facts_not_errors(tmp_path: Path) -> None:
    odd = {
        "template.yaml": (
            "Parameters: [1, 2]\nResources:\n  A: 3\n  B: {Type: AWS::Events::Rule, Properties: []}\n"
            "  C: {Type: AWS::Events::Rule, Properties: {EventPattern: '{not json'}}\n"
            "  D: {Type: AWS::Events::Rule, Properties: {EventPattern: {source: 7}}}\n"
            "  E: {Type: AWS::Serverless::Function, Properties: {Events: [1], Policies: 2}}\n"
            "  F: {Type: AWS::SNS::Subscription, Properties: {TopicArn: {Fn::GetAtt: [T, Arn]}}}\n"
            "  G: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: {Statement: "
            "{Effect: Allow, Action: events:PutEvents, Condition: {StringEquals: 5}}}}}\n"
            "Outputs: {X: {Export: {Name: {Fn::Join: [1, 2]}}}}\n"
        ),
        "catalog-info.yaml": "metadata: {name: [x]}\nspec: {svc: {events: {publishes: [1, {source: 2}]}}}\n",
        ".svc/answers.json": "[1, 2]",
    }
    write_repos(tmp_path, {"odd": {"files": odd}, "broken": {"files": {"template.yaml": "a: [\n"}}})
    facts = extract_facts(load_repo(tmp_path / "odd"))
    assert facts.service == "odd" and facts.consumes[0].source == ANY_VALUE  # `source: 7`
    broken = extract_facts(load_repo(tmp_path / "broken"))
    assert broken.template_ok is False and broken.references == ()


def test_svc_facts_prints_the_json(orders_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["facts", str(orders_repo)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == facts_to_json(extract_facts(load_repo(orders_repo)))
    assert printed == json.loads(facts_json_for_path(orders_repo))


def test_svc_facts_writes_a_file(orders_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "orders.json"
    assert main(["facts", str(orders_repo), "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["service"] == "orders"


@pytest.mark.parametrize("kind", ["missing", "file", "not-a-repo"])
def test_svc_facts_on_a_non_repo_is_a_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    target = tmp_path / kind
    if kind == "file":
        target.write_text("x", encoding="utf-8")
    elif kind == "not-a-repo":
        target.mkdir()
    assert main(["facts", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("svc: error: ") and err.count("\n") == 1, err


def test_facts_dir_reads_good_files_and_reports_bad_ones(orders_repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    folder.mkdir()
    (folder / "a-orders.json").write_text(facts_json_for_path(orders_repo), encoding="utf-8")
    (folder / "b-garbage.json").write_text("{nope", encoding="utf-8")
    (folder / "c-future.json").write_text('{"version": 99}', encoding="utf-8")
    bad_schema = facts_to_json(extract_facts(load_repo(orders_repo)))
    bad_schema["consumes"][0]["channel"] = "carrier-pigeon"
    (folder / "d-schema.json").write_text(json.dumps(bad_schema), encoding="utf-8")
    (folder / "notes.txt").write_text("not a facts file", encoding="utf-8")

    results = results_from_facts_dir(Path("facts"), tmp_path)
    assert [r.path for r in results] == [
        "facts/a-orders.json", "facts/b-garbage.json", "facts/c-future.json", "facts/d-schema.json",
    ]
    good, garbage, future, schema = results
    assert good.error is None and good.findings == () and good.name == "orders-service"
    assert good.facts == extract_facts(load_repo(orders_repo))
    assert garbage.facts is None and "invalid JSON" in (garbage.error or "")
    assert "version 99" in (future.error or "")
    assert "consumes/0/channel" in (schema.error or "")


def test_a_version_1_facts_file_says_to_regenerate_it(orders_repo: Path, tmp_path: Path) -> None:
    # Version 1 had no buses: read as version 2 it would judge internal events as the org's.
    folder = tmp_path / "facts"
    folder.mkdir()
    old = facts_to_json(extract_facts(load_repo(orders_repo)))
    old["version"] = 1
    for event in old["publishes"] + old["consumes"]:
        del event["bus"]
    (folder / "orders.json").write_text(json.dumps(old), encoding="utf-8")
    [result] = results_from_facts_dir(Path("facts"), tmp_path)
    assert (result.facts, result.error) == (None, (
        "facts/orders.json is not a valid svc facts file: version 1, this svc reads version 2; "
        "regenerate it with this svc's `svc facts`"))


BUSES = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: orders-internal}
  Other:
    Type: AWS::Events::EventBus
  Mine:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Join ["", [!Sub "arn:aws:events:eu-west-1:1:event-bus/", !Ref Other]]
      EventPattern: {source: [a]}
  Named:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: arn:aws:events:eu-west-1:123456789012:event-bus/orders-internal
      EventPattern: {source: [b]}
  LogicalIdIsNoName:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: Bus
      EventPattern: {source: [c]}
  Grant:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: events:PutEvents
            Resource: [!GetAtt Bus.Arn, "*"]
            Condition: {StringEquals: {events:source: d}}
          - Effect: Allow
            Action: events:PutEvents
            Resource: !Sub "${Other.Arn}"
            Condition: {StringEquals: {events:source: e}}
  ToLambda:
    Type: AWS::Pipes::Pipe
    Properties:
      Target: !GetAtt Fn.Arn
      TargetParameters: {EventBridgeEventBusParameters: {Source: f}}
  NoParams:
    Type: AWS::Pipes::Pipe
    Properties:
      Target: !Ref Other
  Loop:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [{prefix: ""}, {suffix: ""}, {wildcard: "**"}, {prefix: g}]}
      Targets: [{Id: x, Arn: arn:aws:events:eu-west-1:123456789012:event-bus/central}]
"""


def test_events_know_their_bus_and_catch_alls_read_as_any(tmp_path: Path) -> None:
    write_repos(tmp_path, {"orders": {"files": {"template.yaml": BUSES}}})
    facts = extract_facts(load_repo(tmp_path / "orders"))
    consumed = [(str(e.source), e.resource, e.bus) for e in facts.consumes]
    assert consumed == [("a", "Mine", "Other"), ("b", "Named", "Bus"),
                        ("c", "LogicalIdIsNoName", ""), ("*", "Loop", ""), ("*", "Loop", ""),
                        ("*", "Loop", ""), ("{prefix: g}", "Loop", "")]
    published = [(str(e.source), str(e.detail_type), e.resource, e.bus) for e in facts.publishes]
    # A pipe into a Lambda publishes nothing; one without parameters is an unknown producer;
    # a rule on the shared bus forwarding to another shared bus produces nothing new.
    assert published == [("*", "*", "NoParams", "Other"), ("d", "*", "Grant", ""),
                         ("e", "*", "Grant", "Other")]


def test_missing_facts_dir_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SvcError, match="facts folder nowhere does not exist"):
        results_from_facts_dir(Path("nowhere"), tmp_path)


def _folder(repo: dict[str, Any]) -> str:
    """The repo's folder name: `org/team-a/payments` or facts file `facts/000-payments.json`."""
    path = PurePosixPath(repo["path"])
    return path.stem.split("-", 1)[1] if path.suffix == ".json" else path.name


def _org_findings(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[tuple[Any, ...]]:
    """The run's ORG findings, each repo named by its folder name.

    Two repos sharing a folder name are named by their place in the run (their path, or their
    facts file), which differs between the two ways of linting: naming both by folder name
    again compares what the rules found.
    """
    assert main(argv) in (0, 1), capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    folders = {repo["name"]: _folder(repo) for repo in report["repos"]}
    renamed = sorted(((name, folder) for name, folder in folders.items() if name != folder),
                     key=lambda pair: -len(pair[0]))

    def plain(text: str) -> str:
        for name, folder in renamed:
            text = text.replace(name, folder)
        return text

    return sorted(
        (f["rule"], folders.get(f["repo"], f["repo"]), f["file"], f["line"], f["column"],
         plain(f["message"]))
        for f in report["findings"] if f["rule"].startswith("ORG")
    )


def _firing_cases() -> list[Any]:
    return [p for p in load_cases() if p.values[1]["findings"]]


@pytest.mark.parametrize(("code", "case"), _firing_cases())
def test_lint_from_facts_equals_lint_from_repos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    code: str, case: dict[str, Any],
) -> None:
    """`svc facts` each repo into a folder, then `svc lint --facts DIR`: the same org findings."""
    if "svc_version" in case:
        monkeypatch.setattr(svc_serverless, "__version__", case["svc_version"])
    monkeypatch.chdir(tmp_path)
    repos = write_repos(tmp_path / "org", case["repos"])
    config: list[str] = []
    if "policy" in case:
        policy = tmp_path / "policy.yaml"
        policy.write_text(yaml.safe_dump({"scaffold": case["policy"]}), encoding="utf-8")
        config = ["--config", str(policy)]
    common = ["--select", "ORG", "-f", "json", "--no-cache", "-j", "1", *config]

    direct = _org_findings(["lint", *map(str, repos), *common], capsys)

    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    for number, repo in enumerate(repos):
        out = facts_dir / f"{number:03d}-{repo.name}.json"
        assert main(["facts", str(repo), "-o", str(out)]) == 0
    from_facts = _org_findings(["lint", "--facts", str(facts_dir), *common], capsys)

    assert direct == from_facts
    # every ORG rule ran; this case's own rule found exactly what the case expects
    assert [list(f[1:5]) for f in direct if f[0] == code] == case["findings"]


@needs_corpus
def test_every_corpus_repo_gives_valid_facts() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    repos = [d for d in sorted(CORPUS.iterdir()) if d.is_dir() and find_template(d) is not None]
    assert len(repos) > 200
    for root in repos:
        facts = extract_facts(load_repo(root))
        data = facts_to_json(facts)
        assert list(validator.iter_errors(data)) == [], root.name
        assert facts_from_json(json.loads(json.dumps(data))) == facts, root.name


def test_svc_facts_output_cannot_start_a_ci_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "hostile"
    repo.mkdir()
    (repo / "template.yaml").write_text(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        "      TopicName: '##[error]x'\n", encoding="utf-8")
    assert main(["facts", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "##[" not in out
    assert not any(line.lstrip().startswith("::") for line in out.splitlines())
    assert "##[error]x" in json.dumps(json.loads(out), ensure_ascii=False)
