"""The repo's own policy file `.svc/policy.yaml` is invalid.

## What it does
Reports a repo whose `.svc/policy.yaml` cannot be read or does not match the policy schema.
The repo is then linted with the organisation policy alone.

## Why is this bad?
The settings the team meant to apply (ignored rules, severities, layout) are not applied, so
the results differ from what the team expects.

## Example
```yaml
version: 1
ignore: SN001        # must be a list
```

## Use instead
```yaml
version: 1
ignore: [SN001]
```
"""

from __future__ import annotations

from svc_serverless.linter.rule import Rule

RULE = Rule(
    code="SVC005",
    name="policy-invalid",
    severity="error",
    tags=("engine", "config"),
    doc=__doc__ or "",
    check=None,
)
