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
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

from svc_serverless.linter.cfnyaml import (
    JSON_STRING,
    TemplateSyntaxError,
    loads,
    loads_json,
    position,
)
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
# Bounded: `[^}]+` retried at each of many "${" with no "}" is quadratic in the string.
_PLACEHOLDER = re.compile(r"\$\{([^}]{1,256})\}")


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
    is_json = path.endswith(".json")
    try:
        # Bounded parsers (size, nesting, aliases, numbers): the definition is repo content.
        data = loads_json(text) if is_json else loads(text)
    except TemplateSyntaxError as err:
        yield Problem(
            f"{path} is not valid {'JSON' if is_json else 'YAML'} ({err.message}): fix the "
            "state machine definition",
            file=path, line=err.line, path=path, subject="unparseable",
        )
        return
    places = _Places(text, data, is_json)
    known = _names(substitutions)
    for value in sorted(places.strings):
        if value.startswith("arn:") and not _INTEGRATION.match(value):
            for line, col in places.of(value):
                yield Problem(
                    f"{path} hard-codes the ARN '{value}': write a ${{Placeholder}} instead and set "
                    "it in DefinitionSubstitutions from this stack's resource (!GetAtt X.Arn)",
                    file=path, line=line, col=col, path=path, subject=value,
                )
        if known is None:
            continue  # substitutions computed by an intrinsic: cannot tell which are defined
        for name in dict.fromkeys(_PLACEHOLDER.findall(value)):
            if name not in known and not name.startswith("AWS::"):
                for line, col in places.of(value, "${" + name + "}"):
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


class _Places:
    """Where each string that matters (an ARN, a ${Placeholder}) is written in the file.

    Built in one pass, so a definition with thousands of ARNs costs linear time: JSON strings
    are found by one scan of the text's string tokens, YAML strings carry their own position
    from the loader. Offsets become (line, col) by bisecting the line starts.
    """

    def __init__(self, text: str, data: Any, is_json: bool) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.offsets: dict[str, list[int]] = {}
        if is_json:
            self._index_json_tokens()
        else:
            self._index_yaml(data)
        self.strings = set(self.offsets)

    @staticmethod
    def _matters(value: str) -> bool:
        return value.startswith("arn:") or "${" in value

    def _index_json_tokens(self) -> None:
        for match in JSON_STRING.finditer(self.text):
            raw = match.group(0)
            try:
                value = json.loads(raw) if "\\" in raw else raw[1:-1]
            except ValueError:
                continue
            if self._matters(value):
                self.offsets.setdefault(value, []).append(match.start() + 1)

    def _index_yaml(self, data: Any) -> None:
        for value in _strings(data):
            if not self._matters(value):
                continue
            line, col = position(value)
            offset = -1
            if 0 < line <= len(self.line_starts):
                offset = self.line_starts[line - 1] + col - 1
                if self.text[offset:offset + 1] in ("'", '"'):
                    offset += 1  # point at the value, not its opening quote
            self.offsets.setdefault(value, []).append(offset)

    def of(self, value: str, needle: str | None = None) -> Iterator[tuple[int, int]]:
        """(line, col) of each place `value` is written, or of `needle` inside it."""
        for offset in self.offsets.get(value, ()):
            if offset < 0:
                yield 0, 0
                continue
            if needle is not None:
                # The needle is in the value; escapes or folding may move it a little.
                found = self.text.find(needle, offset, offset + 2 * len(value) + 16)
                offset = found if found >= 0 else offset
            index = bisect_right(self.line_starts, offset) - 1
            yield index + 1, offset - self.line_starts[index] + 1


def _strings(value: Any) -> Iterator[str]:
    """Every string key and value of a parsed definition."""
    stack = [value]
    while stack:  # iterative: the loader bounds the depth, but the walk needs no recursion
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append(child)
                stack.append(key)
        elif isinstance(item, list):
            stack.extend(item)


RULE = Rule(
    code="LAY004",
    name="workflow-definition-file",
    severity="error",
    tags=("layout", "share-nothing"),
    doc=__doc__ or "",
    check=check,
)
