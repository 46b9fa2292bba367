"""Where the template says each function's, layer's and workflow's code lives (layout rules).

One place reads `CodeUri`, `ContentUri`, `DefinitionUri`, `DefinitionS3Location`, `Code`,
`Content` and an image function's `Metadata.DockerContext`, and classifies each as a local path
(normalised, repo-relative), inline code, a remote location (S3, an image registry), a computed
value (an intrinsic) or missing. LAY001-LAY004 all start from this list.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.model import LoadedRepo, Resource, Template
from svc_serverless.rules.kms._keys import key_node, resource_anchor

Kind = Literal["function", "layer", "workflow"]
Form = Literal["local", "inline", "remote", "computed", "missing", "outside"]

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SERVERLESS_FUNCTION, LAMBDA_FUNCTION)
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
SERVERLESS_STATE_MACHINE = "AWS::Serverless::StateMachine"
STATE_MACHINE_TYPES = (SERVERLESS_STATE_MACHINE, "AWS::StepFunctions::StateMachine")

KINDS: tuple[Kind, ...] = ("function", "layer", "workflow")
NOUN: dict[str, str] = {"function": "function", "layer": "layer", "workflow": "state machine"}
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SUFFIXES = {"function": ("-function", "-fn", "-lambda", "-handler"),
             "layer": ("-layer",), "workflow": ("-state-machine", "-workflow", "-sfn")}


@dataclass(frozen=True)
class CodeRef:
    """One resource's code location as the template declares it."""

    resource: Resource
    kind: Kind
    prop: str  # as written: "CodeUri", "InlineCode", "DockerContext", "DefinitionS3Location"...
    form: Form
    value: object  # the declared value (None when missing)
    local: str = ""  # the normalised repo-relative path, when form is "local"
    image: bool = False  # an image function: `prop` is its Metadata.DockerContext

    @property
    def path(self) -> str:
        """The stable logical place of the declaration, for Problem.path."""
        section = "Metadata" if self.image else "Properties"
        return self.resource.path(section, self.prop)


def anchor(template: Template, ref: CodeRef) -> object:
    """Where to report a problem with a code location: the value, else its key, else the resource.

    A string or an intrinsic is marked where it is written; a plain mapping only at its first
    key, a line below the property, so that is reported at the property's key.
    """
    written = isinstance(ref.value, str) or ref.form == "computed"
    if written and position(ref.value)[0]:
        return ref.value
    where = ref.resource.metadata if ref.image else ref.resource.properties
    return key_node(where, ref.prop) or resource_anchor(template, ref.resource)


def code_refs(template: Template) -> Iterator[CodeRef]:
    """Every function, layer and state machine of the template with its code location.

    State machines with an inline definition yield nothing here: that is LAY004's finding.
    """
    for resource in template.resources:
        if resource.type in FUNCTION_TYPES:
            yield _function(resource)
        elif resource.type in LAYER_TYPES:
            prop = "ContentUri" if resource.type.startswith("AWS::Serverless") else "Content"
            yield _located(resource, "layer", prop)
        elif resource.type in STATE_MACHINE_TYPES:
            ref = _state_machine(resource)
            if ref is not None:
                yield ref


def _function(resource: Resource) -> CodeRef:
    props = resource.properties
    serverless = resource.type == SERVERLESS_FUNCTION
    code = props.get("Code")
    if props.get("PackageType") == "Image" or (
        not serverless and isinstance(code, dict) and "ImageUri" in code
    ):
        context = resource.metadata.get("DockerContext")
        return CodeRef(resource, "function", "DockerContext", *_classify(context), image=True)
    if serverless and props.get("InlineCode") is not None:
        return CodeRef(resource, "function", "InlineCode", "inline", props["InlineCode"])
    if not serverless and isinstance(code, dict) and "ZipFile" in code:
        return CodeRef(resource, "function", "Code", "inline", code)
    return _located(resource, "function", "CodeUri" if serverless else "Code")


def _state_machine(resource: Resource) -> CodeRef | None:
    props = resource.properties
    if resource.type == SERVERLESS_STATE_MACHINE:
        if "DefinitionUri" in props or "Definition" not in props:
            return _located(resource, "workflow", "DefinitionUri")
        return None
    if "DefinitionS3Location" in props:
        return _located(resource, "workflow", "DefinitionS3Location")
    return None


def _located(resource: Resource, kind: Kind, prop: str) -> CodeRef:
    return CodeRef(resource, kind, prop, *_classify(resource.properties.get(prop)))


def _classify(value: object) -> tuple[Form, object, str]:
    if value is None:
        return "missing", None, ""
    if isinstance(value, dict):
        is_intrinsic = len(value) == 1 and (next(iter(value)) == "Ref" or
                                            str(next(iter(value))).startswith("Fn::"))
        return ("computed" if is_intrinsic else "remote"), value, ""
    if not isinstance(value, str):
        return "computed", value, ""
    text = value.strip().replace("\\", "/")
    if "://" in text:
        return "remote", value, ""
    normal = posixpath.normpath(text) if text else "."
    if normal.startswith(("/", "../")) or normal == ".." or ":" in normal:
        return "outside", value, ""
    return "local", value, "" if normal == "." else normal


def top_folder(path: str, folder: str) -> str | None:
    """The folder directly under `folder` that `path` lies in (`functions/x/src` -> `functions/x`)."""
    parts = path.split("/")
    if len(parts) >= 2 and parts[0] == folder:
        return f"{parts[0]}/{parts[1]}"
    return None


def folder_for(repo: LoadedRepo, kind: Kind) -> str:
    layout = repo.policy.layout
    return {"function": layout.functions, "layer": layout.layers,
            "workflow": layout.workflows}[kind]


def resource_folders(repo: LoadedRepo) -> Iterator[tuple[str, Kind, str]]:
    """(folder, kind, name) of each folder directly under functions/, layers/, workflows/.

    Hidden folders (`.pytest_cache`, `.idea`) are tool litter, not resources.
    """
    roots = {folder_for(repo, kind): kind for kind in KINDS}
    for folder in repo.listing.dirs:
        root, _, name = folder.partition("/")
        if root in roots and name and "/" not in name and not name.startswith("."):
            yield folder, roots[root], name


def is_dir(repo: LoadedRepo, path: str) -> bool:
    """True for a folder of the repo ("" is its root); `exists` takes a trailing slash as a dir."""
    return path == "" or repo.exists(path + "/")


def kebab(name: str, kind: Kind | None = None) -> str:
    """A kebab-case folder name for `name`; with `kind`, a redundant suffix is dropped."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    if kind is not None:
        for suffix in _SUFFIXES[kind]:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                break
    if not text or not text[0].isalpha():
        text = f"{kind or 'x'}-{text}".rstrip("-")
    return text
