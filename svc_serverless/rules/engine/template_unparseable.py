"""The template, or a JSON event pattern inside it, cannot be read.

## What it does
Reports a template that does not parse: invalid YAML or JSON, duplicate keys, YAML merge keys,
alias bombs, nesting deeper than 100 levels, an empty file, or a document that is not a mapping.
The finding points at the line and column where the parser stopped. It also reports an
EventBridge pattern given as a JSON string (an `AWS::Events::Rule`'s `EventPattern`, a SAM
event's `Pattern`) that is not JSON, is larger than 5 MiB or nests deeper than 100 levels: svc
reads those patterns to know which events the service consumes.

This rule cannot be turned off: like every engine rule (SVC), it always runs at error,
whatever `--select`, `--ignore`, a policy or a severity map says, and no suppression or
baseline hides it.

## Why is this bad?
CloudFormation refuses such a template, so the service cannot deploy; and no other rule can look
at it, so every other problem in it stays hidden until this one is fixed. Duplicate keys are the
quiet variant: most YAML parsers keep the last value, so half of what the author wrote is
silently dropped.

## Example
```yaml
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      BillingMode: PROVISIONED   # duplicate key
```

## Use instead
```yaml
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is None:
        return
    if repo.unread_reason(template.path) is not None:
        return  # it could not be read at all: SVC006 says why
    error = template.error
    yield Problem(
        f"template cannot be parsed: {error.message}",
        file=template.path,
        line=error.line,
        col=error.col,
        path="",
        # Baselines must survive edits: drop the line numbers some parser messages carry.
        subject=re.sub(r"line \d+", "line", error.message),
    )


RULE = Rule(
    code="SVC002",
    name="template-unparseable",
    severity="error",
    tags=("engine",),
    doc=__doc__ or "",
    check=check,
)
