"""The template reads configuration or secrets outside this service's own prefix.

## What it does
A service keeps its SSM parameters under `/<service>/` and its Secrets Manager secrets under
`<service>/` (the service name is the manifest's `metadata.name`, else the repo folder). This
rule reports references to any other name:

- dynamic references `{{resolve:ssm:...}}`, `{{resolve:ssm-secure:...}}` and
  `{{resolve:secretsmanager:...}}`, anywhere in the template (also inside `!Sub`/`!Join`);
- `Parameters` of type `AWS::SSM::Parameter::Value<...>` or `AWS::SSM::Parameter::Name` whose
  `Default` is another name;
- IAM statements that allow `ssm:GetParameter*` (or `ssm:*`, `ssm:Get*`) or
  `secretsmanager:GetSecretValue` on a parameter or secret ARN outside the prefix, or on `*`;
- the SAM policy templates `SSMParameterReadPolicy`, `SSMParameterWithSlashPrefixReadPolicy`
  and `AWSSecretsManagerGetSecretValuePolicy` given another service's name.

Fine: names under `/<service>/` (also spelled with a parameter whose default is the service
name, or with `${AWS::StackName}`), parameters and secrets this template creates, references to
them (`{{resolve:secretsmanager:${DbSecret}...}}`), AWS's public parameters
(`/aws/service/...`, e.g. the latest AMI), and, in a template that defines an
`AWS::Events::Connection`, the secrets EventBridge keeps its credentials in
(`events!connection/...`). Names built from a parameter without a default are
not known until deploy time and are not reported. A secret or parameter referenced by an ARN
with a literal account id is SN003's.

## Why is this bad?
Reading another service's parameters or secrets makes its configuration a hidden interface:
its owners cannot rename, rotate or restructure their own settings without breaking a service
they do not know depends on them, and a leaked role of this service exposes the other one's
secrets. Configuration is private to its service, like its tables.

## Example
```yaml
# In the orders service:
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          PAYMENTS_URL: "{{resolve:ssm:/payments/api-url}}"
      Policies:
        - SSMParameterReadPolicy:
            ParameterName: payments/*
```

## Use instead
```yaml
# Keep the orders service's own settings under /orders/; learn about payments through its API
# or its events, never by reading its configuration.
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          PAYMENTS_API: "{{resolve:ssm:/orders/payments-api-url}}"
      Policies:
        - SSMParameterReadPolicy:
            ParameterName: orders/*
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import (
    ACCOUNT_ID,
    STACK_NAME,
    Rendered,
    TemplateScan,
    find_arns,
    literal_region,
    locate,
    placeholders,
    render,
    shorten,
    template_scan,
)

_RESOLVE = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):")
_SSM_READS = ("ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath",
              "ssm:getparameterhistory")
_SECRET_READS = ("secretsmanager:getsecretvalue",)
_PUBLIC_PARAMETERS = "/aws/service/"
_CONNECTION_SECRETS = "events!connection/"


class _Names:
    """Decides whether a parameter or secret name is this service's own."""

    def __init__(self, scan: TemplateScan, service: str) -> None:
        self.scan = scan
        self.service = service
        # names of parameters and secrets this template creates, as written and with defaults
        self.own = scan.own_names | {scan.with_defaults(n) for n in scan.own_names}
        # An EventBridge connection keeps its credentials in a secret EventBridge names
        # `events!connection/<connection>/<id>`: the stack's own when it defines connections.
        self.connections = any(True for _ in scan.template.of_type("AWS::Events::Connection"))

    def outside(self, name: str) -> str | None:
        """The name read (for messages) when it is known to be outside the prefix, else None.

        A name spelled with a parameter is judged by the parameter's default; a name that turns
        out to be an ARN is judged by the name inside it (a literal account is SN003's).
        Unknown (a parameter without a default) is not outside.
        """
        written = name.strip()
        if written.startswith("arn:"):
            written = _name_in_arn(written) or ""
        resolved = self.scan.with_defaults(written)
        if resolved.startswith("arn:"):  # a parameter whose default is an ARN
            resolved = _name_in_arn(resolved) or ""
        bare = resolved.lstrip("/")
        if not bare or bare in self.own or written.lstrip("/") in self.own:
            return None
        if resolved.startswith(_PUBLIC_PARAMETERS):
            return None
        if self.connections and bare.startswith(_CONNECTION_SECRETS):
            return None
        first = bare.split("/", 1)[0]
        if first == self.service or STACK_NAME in first or placeholders(first):
            # a reference: own when it names a resource of this template (or the stack),
            # unknown when it comes from a parameter without a default
            return None
        return resolved

    def fix(self) -> str:
        return (f"keep this service's configuration under /{self.service}/ and get other "
                "services' data through their API or events")


def check(repo: LoadedRepo) -> Iterator[Problem]:
    scan = template_scan(repo)
    if scan is None:
        return
    names = _Names(scan, repo.service)
    yield from _dynamic_references(repo, scan, names)
    yield from _parameters(scan, names)
    yield from _statements(scan, names)
    yield from _sam_templates(scan, names)


def split_fields(text: str) -> list[str]:
    """Split on ':' outside `${...}` (a placeholder may hold `AWS::StackName`)."""
    fields: list[str] = []
    start = i = 0
    while i < len(text):
        if text.startswith("${", i):
            close = text.find("}", i)
            i = len(text) if close < 0 else close + 1
            continue
        if text[i] == ":":
            fields.append(text[start:i])
            start = i + 1
        i += 1
    fields.append(text[start:])
    return fields


def _reference_body(text: str, start: int) -> str:
    """The text of a dynamic reference from `start` to its closing `}}` (placeholders skipped)."""
    i = start
    while i < len(text):
        if text.startswith("${", i):
            close = text.find("}", i)
            i = len(text) if close < 0 else close + 1
            continue
        if text.startswith("}}", i):
            return text[start:i]
        i += 1
    return text[start:]


def _referenced_name(body: str) -> str:
    """The parameter or secret id of a dynamic reference (an ARN stays whole)."""
    if body.startswith("arn:"):
        arn = next(find_arns(body), None)
        return arn.text if arn else body
    return split_fields(body)[0]


def _name_in_arn(text: str) -> str | None:
    """The parameter or secret name in an SSM/Secrets Manager ARN of this account, else None.

    An ARN with a literal account or region is SN003's: None.
    """
    arn = next(find_arns(text), None)
    if arn is None or ACCOUNT_ID.match(arn.account) or literal_region(arn.region):
        return None
    if arn.service == "ssm" and arn.resource.startswith("parameter"):
        return arn.resource[len("parameter"):]
    if arn.service == "secretsmanager" and arn.resource.startswith("secret:"):
        return split_fields(arn.resource[len("secret:"):])[0]
    return None


def _dynamic_references(repo: LoadedRepo, scan: TemplateScan, names: _Names) -> Iterator[Problem]:
    for text in scan.texts:
        rendered = text.rendered
        for match in _RESOLVE.finditer(rendered.text):
            kind = match.group(1)
            body = _reference_body(rendered.text, match.end())
            shown = names.outside(_referenced_name(body))
            if shown is None:
                continue
            noun = "secret" if kind == "secretsmanager" else "parameter"
            line, col = locate(repo, rendered, match.start())
            yield Problem(
                f"{{{{resolve:{kind}:{shorten(body)}}}}} reads {noun} '{shown}' outside this "
                f"service's prefix: {names.fix()}",
                node=rendered.node, line=line, col=col, path=text.path, subject=f"{kind}:{body}",
            )


def _parameters(scan: TemplateScan, names: _Names) -> Iterator[Problem]:
    for name, declared in scan.parameters.items():
        if not isinstance(declared, dict):
            continue
        kind, default = declared.get("Type"), declared.get("Default")
        if not (isinstance(kind, str) and kind.startswith("AWS::SSM::Parameter::")
                and isinstance(default, str) and names.outside(default)):
            continue
        yield Problem(
            f"parameter '{name}' reads SSM parameter '{names.outside(default)}' outside this "
            "service's prefix: "
            f"{names.fix()}",
            node=default, path=f"Parameters/{name}/Default", subject=str(default),
        )


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if isinstance(item, str)]


def _granted(actions: list[str], reads: tuple[str, ...]) -> str | None:
    """The first action that grants one of `reads` (service-qualified patterns only)."""
    service = reads[0].split(":", 1)[0] + ":"
    for action in actions:
        pattern = action.strip().lower()
        if not pattern.startswith(service):  # cheap: most actions are of other services
            continue
        if pattern in reads or ("*" in pattern or "?" in pattern) and any(
                fnmatchcase(read, pattern) for read in reads):
            return action
    return None


def _statements(scan: TemplateScan, names: _Names) -> Iterator[Problem]:
    for path, statement in scan.statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = _strings(statement.get("Action"))
        ssm, secret = _granted(actions, _SSM_READS), _granted(actions, _SECRET_READS)
        if ssm is None and secret is None:
            continue
        resources = statement.get("Resource")
        listed = resources if isinstance(resources, list) else [resources]
        for index, item in enumerate(listed):
            rendered = render(item)
            if rendered is None:
                continue
            where = f"{path}/Resource/{index}" if isinstance(resources, list) else f"{path}/Resource"
            yield from _granted_names(rendered, where, ssm, secret, names)


def _granted_names(rendered: Rendered, path: str, ssm: str | None, secret: str | None,
                   names: _Names) -> Iterator[Problem]:
    if rendered.text.strip() == "*":
        action = ssm or secret
        noun = "parameter" if ssm else "secret"
        yield Problem(
            f"IAM statement allows {action} on '*', every {noun} of the account: grant it on "
            f"this service's own names only; {names.fix()}",
            node=rendered.node, path=path, subject=f"{action}:*",
        )
        return
    for arn in find_arns(rendered.text):
        if ssm and arn.service == "ssm" and arn.resource.startswith("parameter"):
            action, noun = ssm, "parameter"
        elif secret and arn.service == "secretsmanager" and arn.resource.startswith("secret:"):
            action, noun = secret, "secret"
        else:
            continue
        shown = names.outside(arn.text)  # None for a literal foreign ARN too: SN003's
        if shown is not None:
            yield Problem(
                f"IAM statement allows {action} on {noun} ARN '{shorten(arn.text)}' ('{shown}'), "
                f"outside this service's prefix: {names.fix()}",
                node=rendered.node, path=path, subject=arn.text,
            )


def _sam_templates(scan: TemplateScan, names: _Names) -> Iterator[Problem]:
    for path, template_name, argument in scan.sam_templates:
        if not isinstance(argument, dict):
            continue
        secret = template_name.startswith("AWSSecrets")
        prop = "SecretArn" if secret else "ParameterName"
        rendered = render(argument.get(prop))
        if rendered is None:
            continue
        # SAM prefixes the parameter name with "parameter/": `orders/x` is `/orders/x`
        shown = names.outside(rendered.text if secret else "/" + rendered.text.lstrip("/"))
        if shown is None:
            continue
        yield Problem(
            f"{template_name} reads {'secret' if secret else 'parameter'} '{shown}' outside "
            f"this service's prefix: {names.fix()}",
            node=rendered.node, path=f"{path}/{prop}", subject=rendered.text,
        )


OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allowed-names": {
            "type": "array", "items": {"type": "string", "minLength": 1},
            "description": "SSM parameter and secret names any service may read, as shell-style "
                           "globs (/platform/shared/*): a reference to one of them is not reported",
        },
    },
}


def _with_options(repo: LoadedRepo) -> Iterator[Problem]:
    allowed = tuple(repo.policy.option("SN004", "allowed-names", ()))
    for problem in check(repo):
        subject = problem.subject
        # the subject is a name, an ARN, or a dynamic reference `kind:name[:field...]`
        names = {subject, _name_in_arn(subject) or "", *subject.split(":", 2)[1:2]}
        names |= {n.split(":", 1)[0] for n in set(names)}
        if not (allowed and any(fnmatchcase(n, g) for n in names if n for g in allowed)):
            yield problem


RULE = Rule(
    code="SN004",
    name="no-foreign-config",
    severity="error",
    tags=("share-nothing", "template"),
    doc=__doc__ or "",
    check=_with_options,
    options=OPTIONS,
)
