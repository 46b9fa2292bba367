"""A folder under functions/, layers/ or workflows/ is not used by the template.

## What it does
Checks the other direction of LAY001: every folder directly under `functions/`, `layers/` and
`workflows/` (names from the policy's `layout`) is used by a resource of the template, that is
some `CodeUri`, image `Metadata.DockerContext`, `ContentUri`, `DefinitionUri` or
`DefinitionS3Location` points into it. The finding names the folder (e.g. `functions/old-report`,
line 0). Hidden folders (`.something`) are ignored. Nothing is reported while the template
cannot be parsed (SVC002), since every folder would look unused.

## Why is this bad?
A folder that no resource deploys is dead code that still gets read, reviewed, tested and
patched: it suggests a function exists when it does not, and its dependencies keep raising
security alerts. Often it is a function that was renamed in the template but not on disk, or
shared code copied between functions (which belongs in a layer instead).

## Example
```yaml
# functions/create-order/   used by CreateOrderFunction
# functions/old-report/     used by nothing
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/create-order/
```

## Use instead
```yaml
# delete functions/old-report/, or deploy it:
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/create-order/
  OldReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/old-report/
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.layout._code import (
    KINDS,
    NOUN,
    code_refs,
    folder_for,
    resource_folders,
    top_folder,
)

PROPERTY = {"function": "CodeUri", "layer": "ContentUri", "workflow": "DefinitionUri"}


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    roots = [folder_for(repo, kind) for kind in KINDS]
    used: set[str] = set()
    for ref in code_refs(template):
        if ref.form == "local":
            used.update(top for root in roots if (top := top_folder(ref.local, root)))
    for folder, kind, _ in resource_folders(repo):
        if folder not in used:
            noun = NOUN[kind]
            yield Problem(
                f"folder {folder}/ is not used by any {noun} of {template.path}: delete it, or "
                f"point a {noun}'s {PROPERTY[kind]} at it",
                file=folder, line=0, path=folder, subject=folder,
            )


RULE = Rule(
    code="LAY002",
    name="unused-folder",
    severity="warning",
    tags=("layout",),
    doc=__doc__ or "",
    check=check,
)
