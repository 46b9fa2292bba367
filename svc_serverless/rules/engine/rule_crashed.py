"""A rule, or a stage of svc's own work, raised an exception on this repo (reported by the engine).

## What it does
When a rule fails with an unexpected error on a repo, or a stage of svc's own work does
(reading the repo's `.svc/policy.yaml`, loading the repo, applying suppressions, extracting the
facts the organisation rules use), the engine records this finding, naming the rule or stage,
the error and what was left unchecked, and goes on with the other rules and repos. The run's
summary and the JSON report count it under `crashes`.

This rule cannot be turned off: like every engine rule (SVC), it always runs at error,
whatever `--select`, `--ignore`, a policy or a severity map says, and no suppression or
baseline hides it.

## Why is this bad?
What crashed checked nothing on this repo, so the repo may hide problems it would have found.
When facts extraction crashed, the organisation rules could not check the repo either (a
duplicate service name, its events): the repo is reported, never silently left out. It is a
bug in svc or a template shape svc did not expect: please report it with the template that
triggers it.

## Example
```text
template.yaml  error  SVC001  rule-crashed  rule SN003 (no-foreign-arn) crashed on this repo: KeyError: 'Properties'
template.yaml  error  SVC001  rule-crashed  svc crashed while extracting facts from this repo: RecursionError: maximum recursion depth exceeded; the organisation rules could not check it
```

## Use instead
```text
Upgrade svc, or report the crash with the template attached. While it is open, a crashed
rule can be ignored for this repo in .svc/policy.yaml (ignore: [SN003]); a crashed stage of
svc cannot, as nothing else would then check the repo.
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
