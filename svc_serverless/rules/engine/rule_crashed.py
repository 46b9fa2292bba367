"""A rule raised an exception on this repo (reported by the engine).

## What it does
When a rule fails with an unexpected error on a repo, the engine records this finding (naming
the rule and the error) and goes on with the other rules and repos. The run's summary and the
JSON report count it under `crashes`.

## Why is this bad?
The crashed rule checked nothing on this repo, so the repo may hide problems it would have
found. It is a bug in svc or a template shape svc did not expect: please report it with the
template that triggers it.

## Example
```text
template.yaml:1:1: SVC001 rule-crashed: rule SN003 crashed on this repo: KeyError: 'Properties'
```

## Use instead
```text
Upgrade svc, or report the crash with the template attached. While it is open, the crashed
rule can be ignored for this repo in .svc/policy.yaml (ignore: [SN003]).
```
"""

from __future__ import annotations

from svc_serverless.linter.rule import Rule

RULE = Rule(
    code="SVC001",
    name="rule-crashed",
    severity="error",
    tags=("engine",),
    doc=__doc__ or "",
    check=None,
)
