"""Two repos claim the same service name.

## What it does
Groups every repo by its service name (the manifest's `metadata.name`, else the folder name)
and reports each repo of a name claimed more than once, at its `metadata.name` line, naming
every repo that claims it.

## Why is this bad?
The service name is the key everything else hangs on: the stack name, the event source, the SSM
prefix, the API base path, the owner in the catalog. Two repos that each pass their own gate can
still both be called `orders`; the second deploy then replaces or fails against the first one's
stack, and events, parameters and dashboards of two teams get mixed up.

## Example
```yaml
# orders/catalog-info.yaml              # orders-v2/catalog-info.yaml
metadata:                               metadata:
  name: orders                            name: orders    # claimed twice
```

## Use instead
```yaml
# orders-v2/catalog-info.yaml
metadata:
  name: order-history    # a name no other repo claims
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import Facts
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import in_order, problem


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    claims: dict[str, list[Facts]] = defaultdict(list)
    for f in in_order(facts):
        claims[f.service].append(f)
    for service, repos in claims.items():
        if len(repos) < 2:
            continue
        folders = ", ".join(r.folder or "?" for r in repos)
        for repo in repos:
            yield problem(
                repo, repo.service_loc,
                f"service name {service!r} is claimed by {len(repos)} repos ({folders}); "
                f"this is {repo.folder or '?'}: give each service a unique name",
                path="metadata/name", subject=f"{service}|{repo.folder}",
            )


RULE = OrgRule(
    code="ORG001",
    name="unique-service-name",
    severity="error",
    tags=("org", "naming"),
    doc=__doc__ or "",
    check=check,
)
