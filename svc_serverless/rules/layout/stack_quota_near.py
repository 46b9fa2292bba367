"""The template's estimated resource count, after SAM expands it, nears CloudFormation's 500-resource quota.

## What it does
Estimates how many resources the template becomes once the SAM transform has run (the same
estimate as LAY010, whose page says how it works and how exact it is) and warns when the count
reaches a share of CloudFormation's 500-resource quota: by default 80 %, i.e. 400 resources.
The finding is at the template's `Resources:` key and names the largest contributors. Above
500 LAY010 reports an error instead.

The share is set in the policy file (the organisation's or the repo's own):

```yaml
version: 1
limits:
  resource-warn-share: 0.9    # warn from 450 resources
```

## Why is this bad?
At 500 the stack stops deploying, including the urgent fix. Splitting a service takes
planning: agreeing where the bounded contexts are, moving data, changing callers to use
events or an API. Started at 400 resources it is a planned piece of work; started at 501 it
is an outage.

## Example
```yaml
# estimated 423 resources after SAM expands the template (quota 500, warning at 400):
# 70 functions with Api events x 5, 70 AWS::Logs::LogGroup x 1,
# 1 implicit API (ServerlessRestApi) x 3
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      Events:
        Create: {Type: Api, Properties: {Path: /orders, Method: post}}
```

## Use instead
```yaml
# Plan the split now, along a bounded context: a new repo (`svc new invoicing`) that
# owns its part of the data and talks to this service through events or its API.
# orders/template.yaml      about 250 resources
# invoicing/template.yaml   about 180 resources
```
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.layout._expansion import estimate
from svc_serverless.rules.layout.stack_quota import RESOURCE_QUOTA, resource_message, section_key


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    threshold = math.ceil(repo.policy.resource_warn_share * RESOURCE_QUOTA)
    result = estimate(template)
    if threshold <= result.total <= RESOURCE_QUOTA:
        yield Problem(
            resource_message(result, f"quota {RESOURCE_QUOTA}, warning at {threshold}")
            + "; plan to split the service along a bounded context before it stops deploying "
            "(see `svc rules LAY011`)",
            node=section_key(template, "Resources"), path="Resources", subject="resource quota near",
        )


RULE = Rule(
    code="LAY011",
    name="stack-quota-near",
    severity="warning",
    tags=("layout", "service-size"),
    doc=__doc__ or "",
    check=check,
)
