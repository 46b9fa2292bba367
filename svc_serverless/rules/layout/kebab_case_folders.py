"""A folder under functions/, layers/ or workflows/ is not kebab-case.

## What it does
Checks that the name of every folder directly under `functions/`, `layers/` and `workflows/`
(names from the policy's `layout`) is kebab-case: lower-case letters and digits, words joined by
single hyphens, starting with a letter (`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`). The finding names the
folder and the kebab-case name to rename it to. Folders deeper down, such as a Python package
`functions/create-order/order_model/`, follow their language's rules and are not checked; hidden
folders are ignored.

## Why is this bad?
Folder names become part of function names, log group names, build artifact paths and URLs,
and people type them. One convention across every repo of the organisation means nobody has to
remember whether it was `CreateOrder`, `create_order` or `createOrder`, and tools (and svc's own
`svc add`) can derive one from the other. Mixed case also breaks on case-insensitive file
systems when two names differ only by case.

## Example
```yaml
# functions/CreateOrder/
# functions/send_email/
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/CreateOrder/
```

## Use instead
```yaml
# functions/create-order/
# functions/send-email/
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/create-order/
```

## Fix
`svc lint --fix` renames the folder to its kebab-case name (`git mv` in a git work tree) and
rewrites every `CodeUri`, `ContentUri` and `DefinitionUri` that points into it, keeping `./`
and a trailing `/` as written. Not fixed: when the new name exists already, and in a JSON
template. Code that spells the folder's path itself (a build script, a test) is not changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Finding, Problem, Rule
from svc_serverless.rules.layout._code import KEBAB, kebab, resource_folders

if TYPE_CHECKING:
    from svc_serverless.fix.context import FixContext


def check(repo: LoadedRepo) -> Iterator[Problem]:
    for folder, _, name in resource_folders(repo):
        if not KEBAB.match(name):
            better = f"{folder.rsplit('/', 1)[0]}/{kebab(name)}"
            yield Problem(
                f"folder {folder}/ is not kebab-case: rename it to {better}/ (and the paths "
                "that point to it in the template)",
                file=folder, line=0, path=folder, subject=name,
            )


def _fix(ctx: FixContext, findings: Sequence[Finding]) -> None:
    from svc_serverless.fix.layout import fix_folder_names

    fix_folder_names(ctx, findings)


RULE = Rule(
    code="LAY008",
    name="kebab-case-folders",
    severity="warning",
    tags=("layout", "naming"),
    doc=__doc__ or "",
    check=check,
    fix=_fix,
    fix_safety="safe",
)
