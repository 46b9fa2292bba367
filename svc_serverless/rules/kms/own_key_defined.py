"""The service has no KMS key of its own, or its key does not rotate or lets another account in.

## What it does
Checks that the template defines at least one `AWS::KMS::Key`, and that every such key:

- has `EnableKeyRotation: true`;
- has a `KeyPolicy` that grants no principal outside this account. Allowed principals are the
  account itself spelled with `${AWS::AccountId}` (`!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root`
  or `!Ref AWS::AccountId`), roles and other resources of this stack (`!GetAtt Role.Arn`) and AWS
  service principals (`Service: logs.amazonaws.com`). A literal account id or ARN, a principal
  passed in as a parameter or imported with `Fn::ImportValue`, and `"*"` (or `NotPrincipal`)
  without an `aws:SourceAccount`, `aws:PrincipalAccount` or `kms:CallerAccount` condition that
  pins `${AWS::AccountId}` are findings, each at the principal. `Deny` statements are not checked.

A template without any key gets one finding, at its `Resources` key (line 1 if it has none).
A key without a `KeyPolicy` is fine: KMS then gives the account root full access, nothing more.

## Why is this bad?
A service that shares nothing owns its data, and so the key that encrypts it. With a key of its
own it deploys without another stack existing first, its key can be scheduled for deletion with
the service, and its key policy says exactly who may decrypt its data. A key that another stack
exports (or an account-wide key) couples every service that uses it: one key policy change or
deletion breaks them all, and nobody can tell which service may read what. Rotation limits how
much data one key version protects; a principal from another account in the key policy hands
that account the ability to decrypt everything the service stores.

## Example
```yaml
Resources:
  ServiceKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::111122223333:root   # another account
            Action: kms:*
            Resource: "*"
```

## Use instead
```yaml
Resources:
  ServiceKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
            Action: kms:*
            Resource: "*"
          - Effect: Allow
            Principal:
              Service: !Sub logs.${AWS::Region}.amazonaws.com
            Action: [kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*]
            Resource: "*"
            Condition:
              ArnLike:
                kms:EncryptionContext:aws:logs:arn: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*
  ServiceKeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: !Sub alias/${AWS::StackName}
      TargetKeyId: !Ref ServiceKey
```

## Fix
`svc lint --fix` sets `EnableKeyRotation: true` on each key that does not rotate (safe). With
`--unsafe-fixes`, a template with no key gets `ServiceKey` (rotating, retained, a key policy for
this account) and its alias `alias/${AWS::StackName}`; unsafe because the next fixes move the
service's data to it. A foreign principal in a key policy is never fixed: only the team knows
whom the key should trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from svc_serverless.linter.model import LoadedRepo, Resource, Template
from svc_serverless.linter.rule import Finding, Problem, Rule
from svc_serverless.rules.kms._keys import KEY_TYPE, key_node, resource_anchor, show

if TYPE_CHECKING:
    from svc_serverless.fix.context import FixContext

ADD_KEY = (
    "this service has no KMS key of its own: add ServiceKey (AWS::KMS::Key with "
    "EnableKeyRotation: true) and encrypt the service's data stores with it"
)
FIX_PRINCIPAL = (
    "grant only this account (!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root), "
    "roles of this stack (!GetAtt Role.Arn) or AWS service principals"
)
# Condition keys that, set to this account, keep a wildcard principal inside it.
ACCOUNT_CONDITION_KEYS = frozenset({"aws:sourceaccount", "aws:principalaccount", "kms:calleraccount"})
OWN_ACCOUNT = "${AWS::AccountId}"
# An IAM principal ARN whose account is this one: arn:<partition>:iam::${AWS::AccountId}:...
_OWN_IAM_ARN = re.compile(r"^arn:(?:\$\{AWS::Partition\}|aws[a-z-]*):(?:iam|sts)::\$\{AWS::AccountId\}:")
_SUB_VARIABLE = re.compile(r"\$\{([^}!${]+)\}")  # no "${" inside: linear time


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    keys = list(template.of_type(KEY_TYPE))
    if not keys:
        yield _no_key(template)
        return
    for key in keys:
        yield from _rotation(template, key)
        yield from _key_policy(template, key)


def _no_key(template: Template) -> Problem:
    anchor = key_node(template.data, "Resources")
    if anchor is None:
        return Problem(ADD_KEY, file=template.path, line=1, col=1, path="Resources")
    return Problem(ADD_KEY, node=anchor, path="Resources")


def _rotation(template: Template, key: Resource) -> Iterator[Problem]:
    value = key.properties.get("EnableKeyRotation")
    if value is True or (isinstance(value, str) and value.lower() == "true"):
        return
    anchor = key_node(key.properties, "EnableKeyRotation") or resource_anchor(template, key)
    shown = value if isinstance(value, str) else show(value)
    state = "does not set EnableKeyRotation" if value is None else f"has EnableKeyRotation: {shown}"
    yield Problem(
        f"KMS key '{key.logical_id}' {state}: set EnableKeyRotation: true",
        node=anchor,
        path=key.path("Properties", "EnableKeyRotation"),
        subject=str(value),
    )


def _key_policy(template: Template, key: Resource) -> Iterator[Problem]:
    policy = key.properties.get("KeyPolicy")
    if not isinstance(policy, dict):  # no policy: KMS's default gives the account root only
        return
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        where = key.path("Properties", "KeyPolicy", "Statement", index)
        for node, shown, why in _foreign_principals(template, statement):
            yield Problem(
                f"KMS key '{key.logical_id}' grants {shown} ({why}) in its key policy: "
                f"{FIX_PRINCIPAL}",
                node=node if _marked(node) else (key_node(statement, "Principal") or statement),
                path=f"{where}/Principal",
                subject=shown,
            )


def _marked(value: object) -> bool:
    return getattr(value, "line", 0) > 0


def _foreign_principals(
    template: Template, statement: dict[str, Any]
) -> Iterator[tuple[object, str, str]]:
    """(node, how to show it, why it is foreign) for each principal outside this account."""
    pinned = _pins_own_account(statement.get("Condition"))
    if "NotPrincipal" in statement and not pinned:
        yield (statement["NotPrincipal"], "everyone but its NotPrincipal",
               "NotPrincipal with Allow, without a condition pinning ${AWS::AccountId}")
    principal = statement.get("Principal")
    if principal is None:
        return
    if principal == "*" or not isinstance(principal, dict):
        if not pinned:
            yield principal, show(principal), "anyone, without a condition pinning ${AWS::AccountId}"
        return
    for kind, value in principal.items():
        if kind != "AWS":  # Service, Federated, CanonicalUser: not an account
            continue
        for item in value if isinstance(value, list) else [value]:
            why = _foreign_aws_principal(template, item, pinned)
            if why is not None:
                yield item, show(item), why


def _foreign_aws_principal(template: Template, value: Any, pinned: bool) -> str | None:
    """Why an `AWS` principal is outside this account, or None if it is this account's."""
    if isinstance(value, str):
        if value == "*":
            return None if pinned else "anyone, without a condition pinning ${AWS::AccountId}"
        return "a literal account; spell this account as ${AWS::AccountId}"
    if not isinstance(value, dict) or len(value) != 1:
        return "a value svc cannot trace to this account"
    (name, body), = value.items()
    if name == "Ref":
        return _foreign_ref(template, body)
    if name == "Fn::GetAtt":
        return None  # an attribute of a resource of this stack (a role's Arn)
    if name == "Fn::Sub":
        return _foreign_sub(template, body)
    if name == "Fn::Join":
        return None if _own_join(body) else "a joined ARN without ${AWS::AccountId}"
    if name == "Fn::If" and isinstance(body, list) and len(body) == 3:
        for branch in body[1:]:
            why = _foreign_aws_principal(template, branch, pinned)
            if why is not None:
                return why
        return None
    if name == "Fn::ImportValue":
        return "imported from another stack"
    return "a value svc cannot trace to this account"


def _foreign_ref(template: Template, target: Any) -> str | None:
    if not isinstance(target, str):
        return "a malformed Ref"
    if target == "AWS::AccountId" or target in template.logical_ids:
        return None
    if target in template.section("Parameters"):
        return "a parameter: the principal comes from outside the stack"
    return "not defined in this template"


def _foreign_sub(template: Template, body: Any) -> str | None:
    text = body[0] if isinstance(body, list) and body else body
    if not isinstance(text, str):
        return "a value svc cannot trace to this account"
    if text == OWN_ACCOUNT or _OWN_IAM_ARN.match(text):
        return None
    names = [v.split(".")[0] for v in _SUB_VARIABLE.findall(text)]
    if names and all(n in template.logical_ids for n in names) and text.startswith("${"):
        return None  # e.g. "${Role.Arn}": a resource of this stack
    parameters = template.section("Parameters")
    if any(n in parameters for n in names):
        return "built from a parameter: the principal comes from outside the stack"
    return "an ARN without ${AWS::AccountId} as its account"


def _own_join(body: Any) -> bool:
    """A `Fn::Join` whose parts include `Ref AWS::AccountId` and no literal account id."""
    if not isinstance(body, list) or len(body) != 2 or not isinstance(body[1], list):
        return False
    parts = body[1]
    has_account = any(isinstance(p, dict) and p.get("Ref") == "AWS::AccountId" for p in parts)
    literal_account = any(isinstance(p, str) and re.search(r"\d{12}", p) for p in parts)
    return has_account and not literal_account


def _pins_own_account(condition: Any) -> bool:
    """True if a condition limits the statement to this account (any operator, any key case)."""
    if not isinstance(condition, dict):
        return False
    for operator in condition.values():
        if not isinstance(operator, dict):
            continue
        for key, value in operator.items():
            if str(key).lower() in ACCOUNT_CONDITION_KEYS and _is_own_account(value):
                return True
    return False


def _is_own_account(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_is_own_account(v) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        (name, body), = value.items()
        if name == "Ref":
            return bool(body == "AWS::AccountId")
        if name == "Fn::Sub":
            text = body[0] if isinstance(body, list) and body else body
            return bool(text == OWN_ACCOUNT)
    return False


def _fix(ctx: FixContext, findings: Sequence[Finding]) -> None:
    from svc_serverless.fix.kms import fix_own_key

    fix_own_key(ctx, findings)


RULE = Rule(
    code="KMS001",
    name="own-key-defined",
    severity="error",
    tags=("kms", "share-nothing", "security"),
    doc=__doc__ or "",
    check=check,
    fix=_fix,
    fix_safety="partly-unsafe",
)
