"""The repo's own policy file `.svc/policy.yaml` is invalid.

## What it does
Reports a repo whose `.svc/policy.yaml` cannot be read, does not match the policy schema, or
tries to turn off or lower an engine rule (`ignore: [SVC002]`, `severity: {SVC: warning}`, or a
prefix that covers them, such as `ignore: [S]`). None of the file's settings apply until it is
fixed: the repo is linted with the organisation policy alone.

This rule cannot be turned off: like every engine rule (SVC), it always runs at error,
whatever `--select`, `--ignore`, a policy or a severity map says, and no suppression or
baseline hides it.

## Why is this bad?
The settings the team meant to apply (ignored rules, severities, layout) are not applied, so
the results differ from what the team expects. The engine rules are how a repo that svc could
not fully check (a crash, an unreadable template, an invalid suppression) fails the gate: a
repo that could turn them off could pass without having been checked.

## Example
```yaml
version: 1
ignore: SN001        # must be a list
severity: {S: info}  # S covers the engine rules (SVC) too
```

## Use instead
```yaml
version: 1
ignore: [SN001]
severity: {SN: info}
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
