"""A role, layer, KMS key or policy comes from outside this stack.

## What it does
Checks the values of the properties that attach an IAM role, a Lambda layer, a KMS key or a
managed policy, in resource properties and SAM `Globals`: `Role`, `RoleArn`,
`ExecutionRoleArn`, `TaskRoleArn`, `ServiceRoleArn`; every item of `Layers`; `KmsKeyArn`,
`KmsKeyId`, `KmsMasterKeyId`, `KMSMasterKeyId`, `KMSMasterKeyID`, `SSEKMSKeyId`, `KMSKeyArn`,
`KmsKeyIdentifier`, `KeyARN`; and the policy ARNs among SAM `Policies` and `ManagedPolicyArns`.
Each must be this stack's own:

- `!Ref`/`!GetAtt` of a resource of this template, or a `!Sub`/`!Join` built from one (or from
  `${AWS::StackName}`, or the name of a role, layer or policy this template creates);
- for policies, also AWS managed policies (`arn:aws:iam::aws:policy/...`, or a plain name);
- for roles, also this account's AWS service-linked roles (`role/aws-service-role/...`): AWS
  creates one per account, so no stack can define its own.

Reported: a literal ARN (`arn:aws:lambda:eu-west-1:017000801446:layer:...`), a `!Sub` with a
literal account or region, a `!Sub` of this account that names no resource of this stack
(`role/shared-lambda-role`), and a role, layer or policy passed in as a parameter. Both branches
of an `Fn::If` are checked. For KMS keys only ARNs with a literal account or region are
reported here: bare aliases (`alias/aws/sqs`), key ids and keys passed as parameters are KMS002's.
`Fn::ImportValue` is SN001's.

## Why is this bad?
A shared role gives this service another team's permissions (and them this service's), so
neither can change its policy safely. A shared layer ships code this repo does not build or
pin, that its owners can change under every function using it. A shared key makes this
service's data readable by whoever that key policy trusts, and blocks its deployment on
another stack.

## Example
```yaml
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/shared-lambda-role
      Layers:
        - arn:aws:lambda:eu-west-1:123456789012:layer:platform-utils:7
      KmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
```

## Use instead
```yaml
# The function's own role, layer and key, defined in this template (svc add layer/key
# scaffolds them); the layer's code lives in layers/ of this repo.
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt OrdersFunctionRole.Arn
      Layers:
        - !Ref CommonLayer
      KmsKeyArn: !GetAtt ServiceKey.Arn
```

## Known exceptions
AWS-published layers (Powertools, Lambda Insights, the AppConfig and Parameters and Secrets
extensions) live in AWS or vendor accounts and are reported: install Powertools from the
function's requirements, and suppress an extension you cannot vendor with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.linter.shortform import short_form
from svc_serverless.rules.share_nothing._helpers import (
    ACCOUNT_ID,
    Arn,
    Target,
    TemplateScan,
    find_arns,
    intrinsic,
    literal_region,
    reference,
    render,
    template_scan,
)

_WHOLE_PLACEHOLDER = re.compile(r"^\$\{([^}]*)\}$")
_SERVICE_LINKED = "role/aws-service-role/"
_FIX = {
    "role": "define the role in this template and use !GetAtt <Role>.Arn",
    "layer": "build the layer from layers/ in this repo and use !Ref <Layer>, or install the "
             "library from the function's dependency manifest",
    "key": "create the service's own AWS::KMS::Key in this template and use !GetAtt <Key>.Arn",
    "policy": "define the policy in this template (AWS::IAM::ManagedPolicy or inline "
              "statements), or use an AWS managed policy",
}
_NOUN = {"role": "role", "layer": "layer", "key": "KMS key", "policy": "policy"}


def check(repo: LoadedRepo) -> Iterator[Problem]:
    scan = template_scan(repo)
    if scan is None:
        return
    for target in scan.targets:
        yield from _check(scan, target, target.value, target.path)


def _check(scan: TemplateScan, target: Target, value: Any, path: str) -> Iterator[Problem]:
    call = intrinsic(value)
    if call is not None and call[0] == "Fn::If":
        branches = call[1]
        if isinstance(branches, list) and len(branches) == 3:
            for index in (1, 2):
                yield from _check(scan, target, branches[index], f"{path}/Fn::If/{index}")
        return
    reason = _reason(scan, target.kind, value)
    if reason is None:
        return
    shown = _show(value)
    yield Problem(
        f"{target.prop} {shown} is a {_NOUN[target.kind]} from outside this stack ({reason}): "
        f"{_FIX[target.kind]}",
        node=value, path=path, subject=shown,
    )


def _reason(scan: TemplateScan, kind: str, value: Any) -> str | None:
    """Why the value is not this stack's own, or None when it is (or is another rule's)."""
    if isinstance(value, str):
        if not value.startswith("arn:"):
            return None  # a managed policy name, an alias or key id (KMS002), a dynamic reference
        arn = next(find_arns(value), None)
        return _arn_reason(scan, kind, arn, literal=True) if arn else None
    name = reference(value)
    if name is None:
        call = intrinsic(value)
        if call is None or call[0] not in ("Fn::Sub", "Fn::Join"):
            return None  # Fn::ImportValue is SN001's; FindInMap and friends are not traceable
        rendered = render(value)
        if rendered is None:
            return None
        text = rendered.text.strip()
        whole = _WHOLE_PLACEHOLDER.match(text)
        if whole is None:
            arn = next(find_arns(text), None)
            return _arn_reason(scan, kind, arn, literal=False) if arn else None
        name = whole.group(1)
    return _reference_reason(scan, kind, name)


def _reference_reason(scan: TemplateScan, kind: str, name: str) -> str | None:
    if scan.is_own(name) or name.startswith("AWS::") or name not in scan.parameters:
        return None
    if kind == "key":
        return None  # a key passed as a parameter is KMS002's
    return f"it comes from parameter '{name}'"


def _arn_reason(scan: TemplateScan, kind: str, arn: Arn, literal: bool) -> str | None:
    if kind == "policy" and arn.account == "aws":
        return None  # an AWS managed policy
    if ACCOUNT_ID.match(arn.account):
        return f"account {arn.account}"
    accounts, source = scan.account_ids(arn.account)
    if accounts:
        return f"account {', '.join(accounts)}, {source}"
    if literal_region(arn.region) and not scan.builds_from_stack(arn.resource):
        return f"region {arn.region}"
    if kind == "role" and arn.resource.startswith(_SERVICE_LINKED):
        return None  # one per account, created by AWS: no stack can define its own
    if literal:
        return "a literal ARN"
    if kind == "key" or scan.builds_from_stack(arn.resource) or _own_name(scan, kind, arn):
        return None
    return "it names no resource of this stack"


def _own_name(scan: TemplateScan, kind: str, arn: Arn) -> bool:
    """The ARN names a role, policy or layer this template creates by its name."""
    resource = arn.resource
    if kind == "layer":
        name = resource.split(":")[1] if resource.startswith("layer:") and ":" in resource else ""
    else:
        name = resource.rsplit("/", 1)[-1]
    return bool(name) and name in scan.own_names


def _show(value: Any) -> str:
    return short_form(value, 100)


OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allowed-layers": {
            "type": "array", "items": {"type": "string", "minLength": 1},
            "description": "layer ARNs any function may use, as shell-style globs "
                           "(arn:aws:lambda:*:017000801446:layer:AWSLambdaPowertools*)",
        },
    },
}


def _with_options(repo: LoadedRepo) -> Iterator[Problem]:
    from fnmatch import fnmatchcase

    allowed = tuple(repo.policy.option("SN005", "allowed-layers", ()))
    for problem in check(repo):
        value = problem.node if isinstance(problem.node, str) else render(problem.node)
        text = value if isinstance(value, str) else value.text if value is not None else ""
        if not (allowed and "/Layers/" in f"/{problem.path}/"
                and any(fnmatchcase(text, glob) for glob in allowed)):
            yield problem


RULE = Rule(
    code="SN005",
    name="no-foreign-role-layer-key",
    severity="error",
    tags=("share-nothing", "template"),
    doc=__doc__ or "",
    check=_with_options,
    options=OPTIONS,
)
