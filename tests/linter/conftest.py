"""A test-only rule and repo builder, so engine tests don't depend on the real rules' details."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from svc_serverless.linter.model import LoadedRepo, walk
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.engine import RULES as ENGINE_RULES


def _check_imports(repo: LoadedRepo) -> Iterator[Problem]:
    if repo.template is None:
        return
    for resource in repo.template.resources:
        for path, value in walk(resource.properties, resource.path("Properties")):
            if isinstance(value, dict) and "Fn::ImportValue" in value:
                node = value["Fn::ImportValue"]
                yield Problem(f"imports {node}", node=node, path=path, subject=str(node))


IMPORTS = Rule(code="TST001", name="test-imports", severity="error", tags=("test",),
               doc="Test rule.", check=_check_imports)


def _crash(repo: LoadedRepo) -> Iterator[Problem]:
    raise KeyError("Properties")


CRASHER = Rule(code="TST002", name="test-crash", severity="warning", tags=("test",),
               doc="Crashes.", check=_crash)
TEST_RULES = (*ENGINE_RULES, IMPORTS, CRASHER)

TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          A: !ImportValue payments-Table
          B: !ImportValue orders-Queue
"""


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    def make(files: dict[str, str], name: str = "billing") -> Path:
        root = tmp_path / name
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        return root

    return make
