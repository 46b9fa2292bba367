"""A suppression's expiry date has passed.

## What it does
Reports a suppression whose `expires` date is before today. An expired suppression no longer
suppresses anything: the finding it covered is reported again as well. The same holds for a
waiver in the organisation policy (`waivers:`): once expired it is reported on the repo it
waived, in every run that lints that repo.

This rule cannot be turned off: like every engine rule (SVC), it always runs at error,
whatever `--select`, `--ignore`, a policy or a severity map says, and no suppression or
baseline hides it.

## Why is this bad?
Exceptions are granted for a time ("until the migration in PLAT-123 is done"). Once that time
is over, the exception must be retired or consciously renewed, not forgotten.

## Example
```yaml
      Environment:
        Variables:
          PAYMENTS_TABLE: !ImportValue payments-Table  # svc: ignore[SN001] reason="PLAT-9" expires=2024-01-31
```

## Use instead
```yaml
      Environment:
        Variables:
          PAYMENTS_API_URL: https://payments.example.com  # consume the payments API, not its table
```
"""

from __future__ import annotations

from svc_serverless.linter.rule import Rule

RULE = Rule(
    code="SVC004",
    name="suppression-expired",
    severity="error",
    tags=("engine", "suppression"),
    doc=__doc__ or "",
    check=None,
)
