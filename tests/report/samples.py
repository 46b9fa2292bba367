"""Lint results built by hand, shared by the reporter tests.

`mixed()` has something of every kind: two repos with findings (error, warning, info), a
suppressed finding from Metadata and one from a baseline, findings about a whole file (line 0),
a repo that could not be read and a clean repo. `special()` puts characters in a message that
every format must escape.
"""

from __future__ import annotations

from svc_serverless.linter.result import LintResult, RepoResult
from svc_serverless.linter.rule import Finding, Rule, Severity, Suppression

PAGE = """Do not import another stack's outputs.

## What it does
Reports every `Fn::ImportValue`.

## Why is this bad?
It ties two services' deploys together.

## Example
```yaml
Table: !ImportValue payments-TableName
```

## Use instead
```yaml
Table: !Ref OrdersTable
```
"""


def rule(code: str, name: str, severity: Severity, doc: str = "") -> Rule:
    return Rule(code, name, severity, ("test",), doc or f"{name} summary.\n", None)


RULES = (
    rule("SN001", "no-import-value", "error", PAGE),
    rule("KMS001", "own-key", "error"),
    rule("LAY001", "function-dir-unused", "warning"),
    rule("LAY002", "one-manifest", "info"),
)


def finding(
    repo: str, file: str, line: int, column: int, code: str, severity: Severity, message: str,
    *, path: str = "", suppression: Suppression | None = None,
) -> Finding:
    names = {r.code: r.name for r in RULES}
    name = names.get(code, code.lower())  # an unknown code stands for a rule not in the run
    return Finding(
        repo=repo, file=file, line=line, column=column, rule=code, name=name, severity=severity,
        message=message, fingerprint=f"fp-{repo}-{code}-{line}", path=path, suppression=suppression,
    )

SN001 = finding("orders", "template.yaml", 12, 7, "SN001", "error",
                "Fn::ImportValue payments-TableName reads another stack's output",
                path="Resources/OrdersFn/Properties/Environment/Variables/TABLE")
KMS001_SUPPRESSED = finding(
    "orders", "template.yaml", 30, 9, "KMS001", "error", "table uses a key of another stack",
    path="Resources/Table/Properties/SSESpecification",
    suppression=Suppression("moving to our own key", "2026-12-31", "metadata"),
)
LAY002 = finding("orders", "functions/api/requirements.txt", 0, 0, "LAY002", "info",
                 "functions/api has two dependency manifests")
LAY001 = finding("payments", "functions/refund", 0, 0, "LAY001", "warning",
                 "functions/refund is not referenced by template.yaml")
KMS001_BASELINE = finding(
    "payments", "template.yaml", 8, 0, "KMS001", "error", "queue has no KMS key",
    suppression=Suppression("in the baseline", "", "baseline"),
)
UNREADABLE = "no template.yaml, template.yml or template.json at the root of services/legacy"


def empty() -> LintResult:
    return LintResult(repos=(), findings=(), rules=RULES)


def mixed() -> LintResult:
    orders = (SN001, KMS001_SUPPRESSED, LAY002)
    payments = (LAY001, KMS001_BASELINE)
    return LintResult(
        repos=(
            RepoResult("orders", "services/orders", findings=orders),
            RepoResult("payments", "services/payments", findings=payments),
            RepoResult("legacy", "services/legacy", error=UNREADABLE),
            RepoResult("users", "services/users"),
        ),
        findings=tuple(sorted(orders + payments)),
        fail_on="warning",
        rules=RULES,
    )


SPECIAL_MESSAGE = "a | b, 100%: <tag> & café ☕\nsecond line \x1b[31m"
SPECIAL = finding("odd", "functions/a,b:c.yaml", 3, 5, "SN001", "error", SPECIAL_MESSAGE)


def special() -> LintResult:
    return LintResult(
        repos=(RepoResult("odd", "odd dir", findings=(SPECIAL,)),),
        findings=(SPECIAL,),
        rules=RULES,
    )
