"""The resource estimate behind LAY010/LAY011 against aws-sam-translator's real expansion.

Within 10% on every corpus template the translator transforms offline (tests/corpus.py), on
every SAM feature in expansion_features.yaml, and (tests/scaffold/test_generated_expansion.py)
on every `svc new` variant; exact with the translator the estimate was calibrated against
(CALIBRATED and newer). The translator is a test dependency: svc never imports it at run time.
CI also runs these tests with the lowest translator pyproject allows, whose expansion of a few
features differs by one resource and which refuses features it predates (durable functions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from svc_serverless.linter.config import Policy
from svc_serverless.linter.engine import lint_repo
from svc_serverless.linter.model import Template, find_template, load_template
from svc_serverless.rules import REPO_RULES
from svc_serverless.rules.layout._expansion import estimate
from tests.corpus import CORPUS, needs_corpus
from tests.sam_expansion import go_offline, translated

FEATURES = yaml.safe_load(Path(__file__).with_name("expansion_features.yaml").read_text(encoding="utf-8"))
CORPUS_REPOS = 218
# Templates svc's loader refuses (duplicate keys: SVC002, listed in tests/test_corpus.py).
CORPUS_UNPARSEABLE = 5
# Templates the translator refuses offline: neither has a Resources section. An older
# translator also refuses features it predates: then at most REFUSED_BY_OLDER more.
CORPUS_REFUSED = ["_pattern-model", "apigw-lambda-sagemaker-jumpstartendpoint-cdk-python"]
REFUSED_BY_OLDER = 15
CALIBRATED = (1, 115)


def _calibrated() -> bool:
    from samtranslator import __version__ as version

    return tuple(int(part) for part in version.split(".")[:2]) >= CALIBRATED


def _close(estimated: int, real: int) -> bool:
    """Exact with the calibrated translator. With an older one, within 10%, or one resource
    on a template too small for 10% to be one (1.97 gives a function URL one resource fewer)."""
    return estimated == real if _calibrated() else abs(estimated - real) <= max(1, 0.1 * real)


def _template(folder: Path, text: str) -> Template:
    """The template as svc loads it (Globals merged, loops expanded)."""
    (folder / "template.yaml").write_text(text, encoding="utf-8")
    return load_template(folder, folder / "template.yaml")


def _real_count(template: Template) -> int | None:
    output = translated(template.data)
    return None if output is None else len(output["Resources"])


@needs_corpus
def test_the_estimate_is_exact_on_every_corpus_template_the_translator_transforms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    go_offline(monkeypatch, tmp_path)
    compared: dict[str, tuple[int, int]] = {}
    refused: list[str] = []
    unparseable = 0
    repos = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    for repo in repos:
        path = find_template(repo)
        assert path is not None, repo.name
        template = load_template(repo, path)
        if template.error is not None:
            unparseable += 1
            continue
        real = _real_count(template)
        if real is None:
            refused.append(repo.name)
        else:
            compared[repo.name] = (estimate(template).total, real)
    # The counts are pinned so that the comparison cannot silently shrink.
    assert (len(repos), unparseable) == (CORPUS_REPOS, CORPUS_UNPARSEABLE)
    if _calibrated():
        assert refused == CORPUS_REFUSED
    else:
        assert set(CORPUS_REFUSED) <= set(refused)
        assert len(refused) <= len(CORPUS_REFUSED) + REFUSED_BY_OLDER, refused
    assert len(compared) == CORPUS_REPOS - CORPUS_UNPARSEABLE - len(refused)
    wrong = {name: f"estimated {est}, translator {real} ({abs(est - real) / real:.0%} off)"
             for name, (est, real) in compared.items() if not _close(est, real)}
    assert wrong == {}


@pytest.mark.parametrize("feature", FEATURES, ids=[f["name"] for f in FEATURES])
def test_the_estimate_is_exact_on_each_sam_feature(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, feature: dict[str, Any]
) -> None:
    go_offline(monkeypatch, tmp_path)
    template = _template(tmp_path, feature["template"])
    real = _real_count(template)
    assert real is not None, "the translator refused the feature template"
    assert _close(estimate(template).total, real), [p.describe() for p in estimate(template).parts]


def test_the_estimate_groups_alike_resources_and_names_the_largest_first(tmp_path: Path) -> None:
    template = _template(
        tmp_path,
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function: {Runtime: python3.13, Handler: app.handler, CodeUri: src}\n"
        "Resources:\n"
        "  Queue: {Type: AWS::SQS::Queue}\n"
        "  LogA: {Type: AWS::Logs::LogGroup}\n"
        "  LogB: {Type: AWS::Logs::LogGroup}\n"
        "  A: {Type: AWS::Serverless::Function, Properties: {Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}}}}\n"
        "  B: {Type: AWS::Serverless::Function, Properties: {Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}}}}\n"
        "  C: {Type: AWS::Serverless::Function, Properties: {AutoPublishAlias: live, Events: {G: {Type: Api}}}}\n"
    )
    result = estimate(template)
    assert [p.describe() for p in result.parts] == [
        "2 functions with SQS events x 3",  # function, role, event source mapping
        "1 function with Api events x 5",  # function, role, version, alias, permission
        "1 implicit API (ServerlessRestApi) x 3",  # the RestApi, its deployment and stage
        "2 AWS::Logs::LogGroup x 1",
        "1 AWS::SQS::Queue x 1",
    ]
    assert result.total == 17


HOSTILE = {
    "events not a mapping": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
                            "    Properties: {Events: [a, b], Role: [x]}\n",
    "odd event properties": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                            "      Events: {A: {Type: SNS, Properties: [1]}, B: {Type: 7}, C: x,\n"
                            "               D: {Type: HttpApi, Properties: {Path: [1], Method: {}}}}\n"
                            "      DeploymentPreference: [x]\n      FunctionUrlConfig: NONE\n"
                            "      EventInvokeConfig: {DestinationConfig: [x]}\n",
    "odd API shapes": "Resources:\n  A:\n    Type: AWS::Serverless::Api\n    Properties:\n"
                      "      Auth: {Authorizers: [x], UsagePlan: x}\n"
                      "      Domain: {BasePath: {a: 1}, Route53: [z], DomainName: [d]}\n"
                      "  H:\n    Type: AWS::Serverless::HttpApi\n    Properties: {Auth: x, Domain: 1}\n",
    "odd GraphQL and connectors": "Resources:\n  G:\n    Type: AWS::Serverless::GraphQLApi\n"
                                  "    Properties: {Auth: [1], DataSources: {DynamoDb: [1]}, Functions: [1],\n"
                                  "                 Resolvers: {Query: x}, Logging: x}\n"
                                  "  C:\n    Type: AWS::Serverless::Connector\n    Properties: {Destination: []}\n"
                                  "    Connectors: [x]\n",
    "sections of the wrong type": "Globals: [1]\nParameters: x\nResources: [1, 2]\nOutputs: 3\n",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
def test_odd_shapes_are_estimated_without_a_crash(tmp_path: Path, text: str) -> None:
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    result = lint_repo(tmp_path, Policy(select=("LAY010", "LAY011")), REPO_RULES)
    assert (result.error, result.crashes) == (None, 0)
    assert [f.rule for f in result.findings if f.rule in ("SVC001", "LAY010", "LAY011")] == []
