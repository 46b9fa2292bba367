"""An SSM prefix, API base path or event source is claimed by more than one service.

## What it does
Indexes what each service claims as its own: its SSM parameter prefix (`spec.svc.ssmPrefix` and
the first segment of every `AWS::SSM::Parameter` name), its API base paths
(`spec.svc.apis.provides[].basePath`, API mappings and SAM `Domain.BasePath`), and the event
sources it publishes (`spec.svc.events.publishes` and `events:PutEvents` permissions with an
`events:source` condition). Each claim of a value that two or more services claim is reported
at its declaration, naming the other services. A base path of `/` (a whole domain) is not
checked.

## Why is this bad?
Each of these is a namespace that identifies one service. Two services writing parameters
under `/orders/` overwrite each other's configuration; two APIs mapped to `/orders` on the same
domain cannot both deploy; two services publishing source `orders` make every consumer's rule
match events from a service it never meant to depend on, and no one can tell who broke the
contract.

## Example
```yaml
# billing/catalog-info.yaml
spec:
  svc:
    ssmPrefix: /orders/          # orders owns this prefix
    events:
      publishes:
        - source: orders         # and this event source
          detailType: InvoiceSent
```

## Use instead
```yaml
# billing/catalog-info.yaml
spec:
  svc:
    ssmPrefix: /billing/
    events:
      publishes:
        - source: billing
          detailType: InvoiceSent
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import Facts, Loc
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import in_order, is_aws_source, names, problem, publications

Claims = dict[str, dict[str, tuple[Facts, Loc]]]  # value -> service -> first (repo, place)


def _claim(claims: Claims, value: str, facts: Facts, loc: Loc) -> None:
    claims[value].setdefault(facts.service, (facts, loc))


def _index(facts: Sequence[Facts]) -> dict[str, Claims]:
    kinds: dict[str, Claims] = {
        "SSM prefix": defaultdict(dict),
        "API base path": defaultdict(dict),
        "event source": defaultdict(dict),
    }
    for f in in_order(facts):
        for prefix in f.ssm_prefixes:
            _claim(kinds["SSM prefix"], prefix.value, f, prefix.loc)
        for api in f.apis_provided:
            if api.base_path not in ("", "/"):
                _claim(kinds["API base path"], api.base_path, f, api.loc)
        for event in publications(f):
            if event.source.is_exact and not is_aws_source(event.source):
                _claim(kinds["event source"], event.source.value, f, event.loc)
    return kinds


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    for kind, claims in _index(facts).items():
        for value, by_service in claims.items():
            if len(by_service) < 2:
                continue
            for service, (repo, loc) in by_service.items():
                others = names(s for s in by_service if s != service)
                yield problem(
                    repo, loc,
                    f"{kind} {value!r} is also claimed by {others}: each {kind} belongs to "
                    "exactly one service; use one derived from this service's name",
                    path=kind, subject=value,
                )


RULE = OrgRule(
    code="ORG002",
    name="single-owner",
    severity="error",
    tags=("org", "share-nothing"),
    doc=__doc__ or "",
    check=check,
)
