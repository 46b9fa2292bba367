"""An output of the template is exported for other stacks to import.

## What it does
Reports every `Outputs` entry with an `Export`, at its `Export` key. Outputs without an export
are fine: they document the stack and the org index reads them.

## Why is this bad?
An export is an invitation to `Fn::ImportValue` (SN001): once another stack imports it,
CloudFormation refuses to change or remove the value, so this service can no longer rename,
replace or delete its own resource without first chasing down every importer. Exports turn a
private implementation detail (a table name, a queue ARN) into a cross-team contract nobody
agreed to.

## Example
```yaml
Outputs:
  TableName:
    Value: !Ref OrdersTable
    Export:
      Name: !Sub ${AWS::StackName}-TableName
```

## Use instead
```yaml
# Keep the output (it documents the stack) but drop the export. Other services use this
# service's API or subscribe to its events; they never import its table.
Outputs:
  TableName:
    Value: !Ref OrdersTable
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import render, shorten


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None:
        return
    for name, output in template.section("Outputs").items():
        if not isinstance(output, dict) or "Export" not in output:
            continue
        key = next(k for k in output if k == "Export")
        exported = _export_name(output["Export"])
        yield Problem(
            f"output '{name}' exports '{exported}' for other stacks to import: remove the "
            "Export; other services use this one through its API or events",
            node=key,
            path=f"Outputs/{name}/Export",
            subject=str(name),
        )


def _export_name(export: Any) -> str:
    if isinstance(export, dict):
        rendered = render(export.get("Name"))
        if rendered is not None:
            return shorten(rendered.text)
    return "a computed name"


RULE = Rule(
    code="SN002",
    name="no-export",
    severity="error",
    tags=("share-nothing", "template"),
    doc=__doc__ or "",
    check=check,
)
