"""A function's, layer's or workflow's code is not in its own folder of the repo.

## What it does
Checks, for every resource whose code lives in the repo, that the template points into the
folder for its resource type (names from the policy's `layout`, defaults shown):

- `AWS::Serverless::Function` `CodeUri` (and `AWS::Lambda::Function` `Code`) is a folder
  `functions/<name>/`, exactly one level down; an image function's `Metadata.DockerContext`
  is that folder instead;
- `AWS::Serverless::LayerVersion` `ContentUri` (and `AWS::Lambda::LayerVersion` `Content`) is a
  folder `layers/<name>/`;
- `AWS::Serverless::StateMachine` `DefinitionUri` (and `AWS::StepFunctions::StateMachine`
  `DefinitionS3Location`) is a file under `workflows/`, usually `workflows/<name>/<name>.asl.json`.

The folder or file must exist. Code kept inline (`InlineCode`, `ZipFile`), computed with an
intrinsic, or not declared at all is a finding too. Code taken from S3, a URL or a path outside
the repo is SN006's finding (code-location-in-repo), so each such location is reported once. `Globals` count: a `CodeUri` set there is reported once, at its line in `Globals`,
naming every function it reaches.
Inline state machine definitions are LAY004's finding, not this rule's.

## Why is this bad?
Layout by resource type lets anyone find a function's code, dependencies and tests without
reading the template, gives each function its own dependency manifest (small packages, fast cold
starts), and lets svc and CI tools work on one function at a time. Code inline in the template is
untested and unreviewable as code; code fetched from S3 or a registry is not versioned with the
service, so the repo no longer describes what is deployed. A path to a folder that does not
exist fails `sam build`.

## Example
```yaml
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/              # every function shares one folder
      Handler: create_order.handler
      Runtime: python3.12
  Checkout:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/checkout.asl.json
```

## Use instead
```yaml
Resources:
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/create-order/
      Handler: app.handler
      Runtime: python3.12
  Checkout:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: workflows/checkout/checkout.asl.json
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules._globals import globals_nodes, globals_path, names
from svc_serverless.rules.kms._keys import show
from svc_serverless.rules.layout._code import (
    NOUN,
    CodeRef,
    anchor,
    code_refs,
    folder_for,
    is_dir,
    kebab,
    top_folder,
)


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    shared = globals_nodes(template)
    from_globals: dict[int, list[tuple[CodeRef, str]]] = {}
    for ref in code_refs(template):
        message = _message(repo, ref)
        if message is None:
            continue
        if ref.value is not None and id(ref.value) in shared:  # one Globals value, many functions
            from_globals.setdefault(id(ref.value), []).append((ref, message))
            continue
        yield Problem(message, node=anchor(template, ref), path=ref.path,
                      subject=str(ref.value) if isinstance(ref.value, str) else ref.form)
    for group in from_globals.values():
        ref, message = group[0]
        path = ref.path
        if len(group) > 1:  # "function 'A' has X: fix" -> "functions 'A', 'B' have X: fix"
            what = f"{NOUN[ref.kind]} '{ref.resource.logical_id}' has"
            rest = message[len(what):] if message.startswith(what) else f": {message}"
            message = f"{NOUN[ref.kind]}s {names([r.resource for r, _ in group])} have{rest}" \
                      " (each in its own folder)"
            path = globals_path(ref.resource, "Properties", ref.prop)
        yield Problem(message, node=anchor(template, ref), path=path,
                      subject=str(ref.value) if isinstance(ref.value, str) else ref.form)


def _suggestion(repo: LoadedRepo, ref: CodeRef) -> str:
    """The svc place for this resource's code, named after its logical id."""
    folder = folder_for(repo, ref.kind)
    name = kebab(ref.resource.logical_id, ref.kind)
    return f"{folder}/{name}/{name}.asl.json" if ref.kind == "workflow" else f"{folder}/{name}/"


def _target_property(ref: CodeRef) -> str:
    """The property that should hold the path (inline code moves to CodeUri)."""
    if ref.image:
        return "Metadata.DockerContext"
    if ref.prop == "InlineCode":
        return "CodeUri"
    return ref.prop


def _message(repo: LoadedRepo, ref: CodeRef) -> str | None:
    what = f"{NOUN[ref.kind]} '{ref.resource.logical_id}'"
    prop = "Metadata.DockerContext" if ref.image else ref.prop
    fix = f"set {_target_property(ref)}: {_suggestion(repo, ref)}"
    if ref.form == "missing" and ref.prop == "CodeUri":
        return f"{what} has no CodeUri, so SAM packages the whole repo root as its code: {fix}"
    if ref.form == "missing":
        return f"{what} has no {prop}: {fix}"
    if ref.form == "inline":
        return f"{what} has its code inline ({ref.prop}): move it to a file and {fix}"
    if ref.form in ("remote", "outside"):
        return None  # code from outside the repo is SN006's finding: one mistake, one finding
    if ref.form == "computed":
        return f"{what} has a computed {prop} ({show(ref.value)}): write the path literally: {fix}"
    return _local_message(repo, ref, what, prop, fix)


def _local_message(repo: LoadedRepo, ref: CodeRef, what: str, prop: str, fix: str) -> str | None:
    folder = folder_for(repo, ref.kind)
    shown = show(ref.value)
    own = top_folder(ref.local, folder)
    if own is None:
        return f"{what} has {prop} {shown}, not under {folder}/: {fix}"
    if ref.kind == "workflow":
        if is_dir(repo, ref.local) or not repo.exists(ref.local):
            return f"{what} has {prop} {shown}, but no such definition file exists: " \
                   f"add it or fix {prop}"
        return None
    if ref.local != own:
        return f"{what} has {prop} {shown}: point it at the {NOUN[ref.kind]}'s own folder {own}/"
    if not is_dir(repo, own):
        if repo.exists(own):
            return f"{what} has {prop} {shown}, which is a file: {prop} must be the folder {own}/"
        return f"{what} has {prop} {shown}, but folder {own}/ does not exist: create it or fix {prop}"
    return None


RULE = Rule(
    code="LAY001",
    name="resource-folder",
    severity="error",
    tags=("layout",),
    doc=__doc__ or "",
    check=check,
)
