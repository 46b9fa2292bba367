"""A suppression has no reason, a bad date, an unknown rule, or targets a mandatory or engine rule.

## What it does
Checks every suppression, in resource `Metadata` (`svc: ignore: [...]`) and in YAML comments
(`# svc: ignore[CODE] reason="..."`). Each must name known rule codes and give a non-empty
reason; `expires`, when given, must be a date `YYYY-MM-DD`. A suppression of a rule the
organisation policy marks mandatory, or of an engine rule (SVC), is refused. An invalid
suppression suppresses nothing.

This rule cannot be turned off: like every engine rule (SVC), it always runs at error,
whatever `--select`, `--ignore`, a policy or a severity map says, and no suppression or
baseline hides it.

## Why is this bad?
A suppression without a reason is an unexplained exception that nobody can review or retire;
a typo in a code or date silently suppresses nothing or forever.

## Example
```yaml
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Metadata:
      svc:
        ignore:
          - rule: KMS002
```

## Use instead
```yaml
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Metadata:
      svc:
        ignore:
          - rule: KMS002
            reason: migrating to the service key in PLAT-123
            expires: 2027-03-31
```
"""

from __future__ import annotations

from svc_serverless.linter.rule import Rule

RULE = Rule(
    code="SVC003",
    name="suppression-invalid",
    severity="error",
    tags=("engine", "suppression"),
    doc=__doc__ or "",
    check=None,
)
