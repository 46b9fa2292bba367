"""The template hard-codes an ARN or account id that this stack does not own.

## What it does
Looks at every string of the template (resource properties, SAM `Globals`, `Parameters`
defaults, `Mappings`, `Conditions`, `Outputs`), including the text of `Fn::Sub` (with its
variable map applied) and what an `Fn::Join` builds, and reports:

- an ARN (`arn:aws:`, `arn:aws-cn:`, `arn:aws-us-gov:`, `arn:${AWS::Partition}:`) whose
  account is a literal 12-digit id, e.g. in an IAM `Resource` or `Principal`, an environment
  variable, an event source or `DefinitionSubstitutions`, or inside a `DefinitionString`;
- an ARN pinned to a literal region (`us-east-1`) that does not name a resource of this stack;
- an S3 ARN naming a bucket by a literal name that this template does not create;
- a bare 12-digit account id where an account goes (`SourceAccount`, `Principal: {AWS: ...}`,
  `aws:SourceAccount` conditions, an event pattern's `account`, a parameter named `...Account...`);
- an ECR image URI or an SQS queue URL with a literal account id;
- an account id that reaches an ARN or a principal from elsewhere in the template: a
  parameter's `Default` (`!Ref Peer`, `${Peer}` in a `!Sub`), a `Mappings` value read with
  `!FindInMap` (the ELB log-delivery accounts per region), a `!Sub` variable or a `!Join` part.
  It is reported where it is used, unless the parameter or mapping key already names an
  account (`PeerAccount`), where it is reported at the literal itself.

Allowed, because they are global or built from this stack: AWS managed policies
(`arn:aws:iam::aws:policy/...`), AWS-owned resources (account `aws` or empty, e.g. Step
Functions integrations `arn:${AWS::Partition}:states:::dynamodb:getItem`, Bedrock foundation
models), wildcards (`*`), ARNs with `${AWS::AccountId}` or no account and `${AWS::Region}` or no
region (`arn:${AWS::Partition}:s3:::${Bucket}/*`, the account's default event bus
`arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default`), and
Serverless Application Repository applications (`arn:aws:serverlessrepo:...:applications/...`,
published and versioned packages, see SN006). Values of
`Role`, `Layers`, KMS key properties and policy ARNs are SN005's and are not reported here.

## Why is this bad?
A literal account id is someone else's resource, or this account spelled so the stack cannot
be deployed anywhere else: either way the service depends on something it neither creates nor
controls. When that other team renames, moves or deletes the resource, this service breaks at
run time, and nothing in its own repo says so.

## Example
```yaml
Resources:
  PublishPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: events:PutEvents
            Resource: arn:aws:events:eu-west-1:123456789012:event-bus/payments
```

## Use instead
```yaml
# Publish to this account's default bus; the payments service subscribes to the events it
# wants. Build this stack's own ARNs from pseudo parameters.
Resources:
  PublishPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: events:PutEvents
            Resource: !Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default
```

## Known exceptions
- Lambda layers published by AWS or vendors (Powertools `017000801446`, Lambda Insights) live in
  third-party accounts and are findings: SN005's where a function lists them, this rule's where
  they are written elsewhere (a `Mappings` table of layer ARNs). Install the library from the
  function's dependency manifest, or build the layer in `layers/`.
- The same holds for AWS-owned container images (`137112412989.dkr.ecr...` for Amazon Linux):
  pull public images from `public.ecr.aws`, or suppress with a reason.
- Elastic Load Balancing's log-delivery account ids in bucket policies are reported: use the
  `logdelivery.elasticloadbalancing.amazonaws.com` service principal, or suppress with a reason.
- Names of other resources in this same account (`${AWS::AccountId}:function:payments-charge`)
  cannot be told apart from this stack's own names and are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import (
    ACCOUNT_ID,
    Arn,
    TemplateScan,
    Text,
    account_key,
    find_arns,
    literal_region,
    locate,
    shorten,
    template_scan,
)

_ECR_IMAGE = re.compile(r"(?<![0-9])(\d{12})\.dkr\.ecr\.[^\s\"',]*")
_SERVICE_URL = re.compile(r"https?://[a-z0-9.-]+\.amazonaws\.com(?:\.cn)?/(\d{12})/[^\s\"',]*")
_ACCOUNT_URLS = (
    (_ECR_IMAGE, "container image",
     ("build the image from this repo into the service's own ECR repository, or pull a public "
      "image (public.ecr.aws)")),
    (_SERVICE_URL, "service URL",
     ("reach other services through their API or events, and take this stack's own URLs from "
      "!Ref or !GetAtt")),
)
_CONTAINERS = frozenset({"Default", "AllowedValues", "Value", "Values"})
_FIX = ("reach other services through their API or events, and build this stack's own ARNs "
        "with !Sub and ${AWS::Region}/${AWS::AccountId} or !GetAtt")


def check(repo: LoadedRepo) -> Iterator[Problem]:
    scan = template_scan(repo)
    if scan is None:
        return
    for text in scan.texts:
        if not text.reserved:
            yield from _text_problems(repo, scan, text)
    for path, number, anchor in scan.numbers:
        if account_context(path):
            yield _bare_account(str(number), anchor, path)


def _text_problems(repo: LoadedRepo, scan: TemplateScan, text: Text) -> Iterator[Problem]:
    rendered = text.rendered
    reported: set[str] = set()
    for arn in find_arns(rendered.text):
        reason = arn_reason(arn, scan)
        if reason is None or arn.text in reported:
            continue
        reported.add(arn.text)
        line, col = locate(repo, rendered, arn.start)
        yield Problem(f"hard-coded ARN '{shorten(arn.text)}' {reason}: {_FIX}",
                      node=rendered.node, line=line, col=col, path=text.path, subject=arn.text)
    for pattern, what, fix in _ACCOUNT_URLS:
        for match in pattern.finditer(rendered.text):
            line, col = locate(repo, rendered, match.start())
            yield Problem(
                f"{what} '{shorten(match.group(0))}' names account {match.group(1)}: {fix}",
                node=rendered.node, line=line, col=col, path=text.path, subject=match.group(0),
            )
    bare = rendered.text.strip()
    if account_context(text.path):
        if ACCOUNT_ID.match(bare):
            yield _bare_account(bare, rendered.node, text.path)
        accounts, source = scan.account_ids(bare)
        if accounts:
            yield _bare_account(", ".join(accounts), rendered.node, text.path, f" ({source})")


def arn_reason(arn: Arn, scan: TemplateScan) -> str | None:
    """Why this ARN is not this stack's (a phrase after the ARN), or None when it is fine."""
    if arn.service == "serverlessrepo" and arn.resource.startswith("applications/"):
        return None  # a published application: a versioned package, like any dependency
    if ACCOUNT_ID.match(arn.account):
        return f"names account {arn.account}"
    accounts, source = scan.account_ids(arn.account)
    if accounts:
        return f"names account {', '.join(accounts)} ({source})"
    if literal_region(arn.region) and not scan.builds_from_stack(arn.resource):
        return f"is pinned to region {arn.region}"
    if arn.service == "s3" and arn.account == "" and arn.region == "":
        bucket = arn.resource.split("/", 1)[0]
        if bucket and not any(c in bucket for c in "$*?") and bucket not in scan.own_names:
            return f"names bucket '{bucket}', which this stack does not create"
    return None


def account_context(path: str) -> bool:
    """The value sits where an account id goes: a key naming an account, or a principal's AWS."""
    keys = [part for part in path.split("/") if not part.isdigit()]
    if not keys:
        return False
    candidates = [keys[-1]]
    if keys[-1] in _CONTAINERS and len(keys) >= 2:
        candidates.append(keys[-2])
    return any(account_key(key) for key in candidates)


def _bare_account(account: str, node: object, path: str, source: str = "") -> Problem:
    ids = "ids" if "," in account else "id"
    return Problem(
        f"hard-coded account {ids} {account}{source}: another account's resources belong to "
        "another team; reach them through their API or events (this account is "
        "${AWS::AccountId})",
        node=node, path=path, subject=account,
    )


OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allowed-accounts": {
            "type": "array", "items": {"type": "string", "pattern": "^[0-9]{12}$"},
            "description": "account ids any service may name (a central logging or security "
                           "account the platform team approved): an ARN or id naming only these "
                           "is not reported",
        },
    },
}


def _with_options(repo: LoadedRepo) -> Iterator[Problem]:
    allowed = frozenset(repo.policy.option("SN003", "allowed-accounts", ()))
    for problem in check(repo):
        accounts = set(re.findall(r"(?<![0-9])[0-9]{12}(?![0-9])", problem.subject))
        if not (allowed and accounts and accounts <= allowed):
            yield problem


RULE = Rule(
    code="SN003",
    name="no-foreign-arn",
    severity="error",
    tags=("share-nothing", "template"),
    doc=__doc__ or "",
    check=_with_options,
    options=OPTIONS,
)
