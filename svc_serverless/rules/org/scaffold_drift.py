"""A repo was scaffolded by an svc version too far behind the current one.

## What it does
Reads the svc version recorded in each repo's `.svc/answers.json` (`svc_version`) and compares
it with the running svc: a different major version, or more minor versions behind than the
policy allows (`scaffold: {max_minor_versions_behind: N}`, default 2), is reported at the
`svc_version` line. A version that cannot be read is reported too. Repos without
`.svc/answers.json` were not made by svc and are skipped.

## Why is this bad?
Every svc release carries fixes to the generated repo: rules the template must pass, CI steps,
IAM and encryption defaults. A repo that never takes them drifts from what the rest of the
organisation runs, and the longer it waits, the larger and riskier the eventual update.

## Example
```json
{"svc_version": "0.1.0", "template_fingerprint": "...", "answers": {"service_name": "orders"}}
```
(with svc 0.6.0 running and the default policy: five minor versions behind, two allowed)

## Use instead
```json
{"svc_version": "0.6.0", "template_fingerprint": "...", "answers": {"service_name": "orders"}}
```
(after `svc update` in the repo: it merges the current template into a branch
`svc/update-<version>`, to review and merge like any change; `svc check` tells whether a repo
is behind, in CI or before an update)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import svc_serverless
from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import Facts
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import in_order, problem

# Bounded digits: a recorded "9999...(5,000 digits).1" must not reach int() (Python refuses
# to convert it, and a version that long is not one anyway).
_VERSION = re.compile(r"^v?(\d{1,9})\.(\d{1,9})(?!\d)")


def major_minor(version: str) -> tuple[int, int] | None:
    match = _VERSION.match(version.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _drift(recorded: str, current: str, allowed: int) -> str | None:
    """Why `recorded` is too far from `current`, or None when it is close enough."""
    have, want = major_minor(recorded), major_minor(current)
    if want is None:
        return None  # a development build of svc: nothing to compare against
    if have is None:
        shown = recorded if len(recorded) <= 40 else recorded[:37] + "..."
        return f"records svc version {shown!r}, which is not a version"
    if have[0] != want[0]:
        return f"was scaffolded with svc {recorded}, a different major version than svc {current}"
    behind = want[1] - have[1]
    if behind > allowed:
        return (f"was scaffolded with svc {recorded}, {behind} minor versions behind svc "
                f"{current} (the policy allows {allowed})")
    return None


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    current = svc_serverless.__version__  # read at run time: the svc doing the linting
    for f in in_order(facts):
        if not f.scaffold_version:
            continue
        why = _drift(f.scaffold_version, current, policy.max_minor_versions_behind)
        if why is not None:
            yield problem(f, f.scaffold_loc,
                          f"{why}: run `svc update` in this repo and merge its update branch",
                          path="svc_version", subject=f.scaffold_version)


RULE = OrgRule(
    code="ORG008",
    name="scaffold-drift",
    severity="error",
    tags=("org", "scaffold"),
    doc=__doc__ or "",
    check=check,
    min_repos=1,
)
