"""The generated repo's own tests protect its operations contracts.

Each case breaks one contract in a copy of a freshly generated repo (the kind of change that
passes cfn-lint, the SAM transform and svc lint) and runs the repo's own template test, as its
CI would: it must fail, in the test that names the contract. Python repos run
tests/test_template.py with pytest; Node repos run tests/template.test.mjs with node --test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.scaffold.conftest import Combo
from tests.scaffold.test_generated_repo_tests import _env


@dataclass(frozen=True)
class Mutation:
    name: str
    replace: str  # text of template.yaml (once), or "resource:<logical id>" to delete a resource
    with_: str
    # The test of the generated repo that must fail: (pytest name, node test title).
    fails: tuple[str, str]


KEY_CONDITION = """            Condition:
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
              ArnLike:
                aws:SourceArn: !Sub arn:${AWS::Partition}:cloudwatch:"""
DLQ_ALARM_DIMENSION = """          Value: !GetAtt DeadLetterQueue.QueueName"""

MUTATIONS = (
    Mutation("partial batch responses removed from the queue source",
             "            # One bad message must not send its whole batch back to the queue.\n"
             "            FunctionResponseTypes:\n              - ReportBatchItemFailures\n", "",
             ("test_stream_and_queue_sources_report_partial_batch_failures",
              "stream and queue sources report partial batch failures")),
    Mutation("queue visibility timeout lowered below six function timeouts",
             "      VisibilityTimeout: 65\n", "      VisibilityTimeout: 30\n",
             ("test_queue_visibility_timeout_outlasts_every_attempt",
              "the queue visibility timeout outlasts every attempt")),
    Mutation("deployment preference removed from the receiver",
             "      DeploymentPreference:\n        Type: !If [IsDev, AllAtOnce, Canary10Percent5Minutes]\n"
             "        Alarms:\n          - !Ref ReceiverErrorsAlarm\n", "",
             ("test_every_function_deploys_gradually_and_rolls_back_on_its_alarm",
              "every function deploys gradually and rolls back on its alarm")),
    Mutation("prod deploys all at once",
             "        Type: !If [IsDev, AllAtOnce, Canary10Percent5Minutes]\n"
             "        Alarms:\n          - !Ref ReceiverErrorsAlarm\n",
             "        Type: !If [IsDev, AllAtOnce, AllAtOnce]\n"
             "        Alarms:\n          - !Ref ReceiverErrorsAlarm\n",
             ("test_every_function_deploys_gradually_and_rolls_back_on_its_alarm",
              "every function deploys gradually and rolls back on its alarm")),
    Mutation("dead-letter queue alarm watches another queue",
             DLQ_ALARM_DIMENSION, "          Value: !GetAtt Queue.QueueName",
             ("test_every_dead_letter_queue_and_the_api_have_alarms",
              "every dead-letter queue and the API have alarms")),
    Mutation("the publisher's iterator age alarm removed", "resource:PublisherIteratorAgeAlarm", "",
             ("test_every_dead_letter_queue_and_the_api_have_alarms",
              "every dead-letter queue and the API have alarms")),
    Mutation("the events dead-letter queue's alarm removed", "resource:EventsDeadLetterQueueAlarm", "",
             ("test_every_dead_letter_queue_and_the_api_have_alarms",
              "every dead-letter queue and the API have alarms")),
    Mutation("API latency alarm measures something else",
             "      MetricName: Latency\n", "      MetricName: IntegrationLatency\n",
             ("test_every_dead_letter_queue_and_the_api_have_alarms",
              "every dead-letter queue and the API have alarms")),
    Mutation("key policy statement for CloudWatch lost its source conditions",
             KEY_CONDITION, """            Condition:
              StringLike:
                aws:PrincipalAccount: "*"
              ArnLike:
                aws:CalledVia: !Sub arn:${AWS::Partition}:cloudwatch:""",
             ("test_key_policy_lets_services_act_only_for_this_stack",
              "the key policy lets services act only for this stack")),
    Mutation("log groups of the whole account may use the key",
             "log-group:${AWS::StackName}-*", "log-group:*",
             ("test_key_policy_lets_services_act_only_for_this_stack",
              "the key policy lets services act only for this stack")),
)


@pytest.fixture(scope="module")
def repos(rendered: dict[Combo, Path]) -> dict[str, Path]:
    return {"python": rendered[Combo("python3.13", "github", True)],
            "node": rendered[Combo("nodejs22.x", "github", True)]}


def _mutated(repo: Path, mutation: Mutation, tmp_path: Path) -> Path:
    copy = tmp_path / repo.name
    shutil.copytree(repo, copy)
    template = copy / "template.yaml"
    text = template.read_text(encoding="utf-8")
    old = mutation.replace
    if old.startswith("resource:"):
        # The resource's block: from its logical id to the blank line that ends it.
        start = text.index(f"\n  {old.removeprefix('resource:')}:\n") + 1
        old = text[start:text.index("\n\n", start) + 2]
    assert text.count(old) == 1, f"{old!r} is not in template.yaml once"
    template.write_text(text.replace(old, mutation.with_), encoding="utf-8")
    return copy


def _run_python(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf",
                           "tests/test_template.py"], cwd=repo, env=_env(), capture_output=True,
                          text=True, timeout=120, check=False)


def _run_node(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", "--test", "tests/template.test.mjs"], cwd=repo, env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_unmutated_template_passes_its_own_checks(repos: dict[str, Path]) -> None:
    result = _run_python(repos["python"])
    assert result.returncode == 0, result.stdout + result.stderr
    if shutil.which("node"):
        result = _run_node(repos["node"])
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_python_repo_tests_catch_the_mutation(repos: dict[str, Path], mutation: Mutation,
                                              tmp_path: Path) -> None:
    result = _run_python(_mutated(repos["python"], mutation, tmp_path))
    failed = [line.split("::")[-1].split(" ")[0] for line in result.stdout.splitlines()
              if line.startswith("FAILED ")]
    assert (result.returncode, failed) == (1, [mutation.fails[0]]), result.stdout[-3000:]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_node_repo_tests_catch_the_mutation(repos: dict[str, Path], mutation: Mutation,
                                            tmp_path: Path) -> None:
    result = _run_node(_mutated(repos["node"], mutation, tmp_path))
    failed = [line.split("not ok ", 1)[1].split(" - ", 1)[1] for line in result.stdout.splitlines()
              if line.startswith("not ok ")]
    assert (result.returncode, failed) == (1, [mutation.fails[1]]), result.stdout[-3000:]
