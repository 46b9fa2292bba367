"""A state machine's definition is inline, or its definition file hard-codes ARNs.

## What it does
Checks that every state machine keeps its Amazon States Language definition in a file under
`workflows/` (see LAY001 for where), not inline in the template: `Definition` of an
`AWS::Serverless::StateMachine`, and `Definition` or `DefinitionString` of an
`AWS::StepFunctions::StateMachine`, are findings.

Then it reads each definition file (JSON, or YAML for `.yaml`/`.yml`) and reports, at the file
and line:

- a file that does not parse;
- every string that starts with `arn:`, except Step Functions service integrations
  (`arn:aws:states:::lambda:invoke`, `arn:aws:states:::dynamodb:putItem`...), which is how ASL
  names them;
- every `${Placeholder}` that has no entry in the state machine's `DefinitionSubstitutions`.

## Why is this bad?
An inline definition mixes the workflow, the part a developer edits and reviews, into the
infrastructure template, where it cannot be opened in Workflow Studio, diffed or tested as a
file. A literal ARN in a definition hard-codes one account, region and stage, and often another
service's function or table: the workflow breaks in every other environment and silently couples
the service to that resource. Names of the stack's own resources come in through
`DefinitionSubstitutions` (`${OrdersTableName}`), and a placeholder without a substitution
reaches Step Functions verbatim and fails at run time.

## Example
```yaml
Resources:
  Checkout:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Charge
        States:
          Charge:
            Type: Task
            Resource: arn:aws:lambda:eu-west-1:123456789012:function:charge
            End: true
```

## Use instead
```yaml
# workflows/checkout/checkout.asl.json:
#   "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
#              "Parameters": {"FunctionName": "${ChargeFunctionArn}", "Payload.$": "$"}, "End": true}
Resources:
  Checkout:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionS3Location: workflows/checkout/checkout.asl.json
      DefinitionSubstitutions:
        ChargeFunctionArn: !GetAtt ChargeFunction.Arn
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from svc_serverless.linter.model import LoadedRepo, Resource, Template
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.kms._keys import key_node, resource_anchor
from svc_serverless.rules.layout._code import (
    SERVERLESS_STATE_MACHINE,
    STATE_MACHINE_TYPES,
    code_refs,
    is_dir,
    kebab,
)

INLINE = ("Definition", "DefinitionString")
_INTEGRATION = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]*):states:::")  # any partition, even ${...}
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    for resource in template.of_type(*STATE_MACHINE_TYPES):
        yield from _inline(repo, template, resource)
    seen: set[tuple[str, int, int, str]] = set()
    for ref in code_refs(template):
        if ref.kind != "workflow" or ref.form != "local" or is_dir(repo, ref.local):
            continue
        text = repo.text(ref.local)
        if text is None:
            continue  # missing (LAY001), binary or too large
        substitutions = ref.resource.properties.get("DefinitionSubstitutions", {})
        for problem in _definition_file(ref.local, text, ref.resource, substitutions):
            key = (problem.file, problem.line, problem.col, problem.message)
            if key not in seen:  # two state machines may share one definition file
                seen.add(key)
                yield problem


def _inline(repo: LoadedRepo, template: Template, resource: Resource) -> Iterator[Problem]:
    for prop in INLINE:
        if prop not in resource.properties:
            continue
        name = kebab(resource.logical_id, "workflow")
        target = f"{repo.policy.layout.workflows}/{name}/{name}.asl.json"
        uri = "DefinitionUri" if resource.type == SERVERLESS_STATE_MACHINE else "DefinitionS3Location"
        yield Problem(
            f"state machine '{resource.logical_id}' has its definition inline ({prop}): move it "
            f"to {target} and set {uri}: {target}",
            node=key_node(resource.properties, prop) or resource_anchor(template, resource),
            path=resource.path("Properties", prop),
            subject=prop,
        )


def _definition_file(path: str, text: str, resource: Resource, substitutions: Any
                     ) -> Iterator[Problem]:
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        line = getattr(err, "lineno", 0) or _yaml_line(err)
        yield Problem(
            f"{path} is not valid {'JSON' if path.endswith('.json') else 'YAML'} "
            f"({str(err).splitlines()[0]}): fix the state machine definition",
            file=path, line=line, path=path, subject="unparseable",
        )
        return
    strings = sorted({s for s in _strings(data)})
    known = _names(substitutions)
    for value in strings:
        if value.startswith("arn:") and not _INTEGRATION.match(value):
            for line, col in _occurrences(text, value, arn=True):
                yield Problem(
                    f"{path} hard-codes the ARN '{value}': write a ${{Placeholder}} instead and set "
                    "it in DefinitionSubstitutions from this stack's resource (!GetAtt X.Arn)",
                    file=path, line=line, col=col, path=path, subject=value,
                )
        if known is None:
            continue  # substitutions computed by an intrinsic: cannot tell which are defined
        for name in _PLACEHOLDER.findall(value):
            if name not in known and not name.startswith("AWS::"):
                for line, col in _occurrences(text, "${" + name + "}"):
                    yield Problem(
                        f"{path} uses ${{{name}}}, which state machine '{resource.logical_id}' does "
                        f"not define: add {name} to its DefinitionSubstitutions",
                        file=path, line=line, col=col, path=path, subject=name,
                    )


def _names(substitutions: Any) -> set[str] | None:
    """The substitution names, or None when an intrinsic computes them (then any may exist)."""
    if not isinstance(substitutions, dict):
        return None
    if any(k == "Ref" or str(k).startswith("Fn::") for k in substitutions):
        return None
    return {str(k) for k in substitutions}


def _yaml_line(err: Exception) -> int:
    mark = getattr(err, "problem_mark", None)
    return int(mark.line) + 1 if mark is not None else 0


def _strings(value: Any) -> Iterator[str]:
    """Every string key and value of a parsed definition."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(key)
            yield from _strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child)


def _occurrences(text: str, needle: str, arn: bool = False) -> Iterator[tuple[int, int]]:
    """(line, col) of each place `needle` is written; (0, 0) if escaping hides it."""
    found = False
    # An ARN must not go on: "...:function:a" is not written in "...:function:ab".
    pattern = re.escape(needle) + (r"(?![\w:/.*-])" if arn else "")
    for match in re.finditer(pattern, text):
        found = True
        start = match.start()
        yield text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    if not found:
        yield 0, 0


RULE = Rule(
    code="LAY004",
    name="workflow-definition-file",
    severity="error",
    tags=("layout", "share-nothing"),
    doc=__doc__ or "",
    check=check,
)
