"""The template imports another stack's output with `Fn::ImportValue`.

## What it does
Reports every `Fn::ImportValue` (`!ImportValue`), in long or short form, wherever it is: in
resource properties, SAM `Globals` (once, at its own line), `Parameters`, `Conditions`,
`Outputs`, and nested in `Fn::Sub`, `Fn::Join`, `Fn::If`, `Fn::Select` or any other function.
The finding points at the imported export's name. `Metadata` is not deployed configuration and
is not checked.

## Why is this bad?
An import couples two stacks for as long as both exist: CloudFormation refuses to update or
delete the exporting stack while anyone imports the value, so one team can no longer change
its own service without coordinating with every importer. It also means this service reaches
straight into another service's resources (its table, queue or key) instead of its public
interface, which is exactly what share-nothing forbids.

## Example
```yaml
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          PAYMENTS_TABLE: !ImportValue payments-TableName
```

## Use instead
```yaml
# Consume the payments service's API or its events, never its table.
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        PaymentSettled:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [payments]
              detail-type: [PaymentSettled]
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import render, shorten, template_scan


def check(repo: LoadedRepo) -> Iterator[Problem]:
    scan = template_scan(repo)
    if scan is None:
        return
    for path, call, argument in scan.imports:
        name = _export_name(argument)
        yield Problem(
            f"Fn::ImportValue '{name}' couples this stack to another stack's export: "
            "consume that service's API or events instead",
            node=_anchor(argument, call),
            path=f"{path}/Fn::ImportValue",
            subject=name,
        )


def _export_name(argument: Any) -> str:
    rendered = render(argument)
    return shorten(rendered.text) if rendered is not None else "a computed export name"


def _anchor(argument: Any, call: Any) -> object:
    """The export name itself when it is marked (a string or a function), else the import."""
    return argument if isinstance(argument, (str, dict, list)) else call


RULE = Rule(
    code="SN001",
    name="no-import-value",
    severity="error",
    tags=("share-nothing", "template"),
    doc=__doc__ or "",
    check=check,
)
