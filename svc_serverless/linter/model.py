"""The loaded model of one service repo: its files, its template (Globals merged) and manifest.

Loading is the only place that reads a repo: rules look at this model and never open files
themselves. File contents are read lazily, once, and bounded (size, encoding), so a rule that
looks at Python sources does not make every run pay for reading them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svc_serverless.linter.cfnyaml import (
    MarkedDict,
    MarkedList,
    MarkedStr,
    TemplateSyntaxError,
    load_template_text,
    loads_all,
)
from svc_serverless.linter.config import Policy
from svc_serverless.linter.foreach import expand_loops

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
MANIFEST_NAME = "catalog-info.yaml"
ANSWERS_PATH = ".svc/answers.json"

# Folders that hold tool output or third-party code, never the service's own sources.
SKIPPED_DIRS = frozenset(
    {".git", ".aws-sam", "node_modules", "__pycache__", ".venv", "venv", ".tox",
     ".pytest_cache", ".mypy_cache", ".ruff_cache", "cdk.out", ".svc-cache"}
)
MAX_FILES = 20_000
MAX_TEXT_BYTES = 2 * 1024 * 1024

# SAM Globals sections and the resource types they apply to.
GLOBALS_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


@dataclass(frozen=True)
class Resource:
    """One entry of `Resources`; `properties` has the template's Globals merged in (SAM types)."""

    logical_id: str
    type: str
    node: MarkedDict
    properties: MarkedDict
    metadata: MarkedDict

    def path(self, *parts: str | int) -> str:
        """The stable logical path of a place in this resource, for Problem.path."""
        return "/".join(["Resources", self.logical_id, *map(str, parts)])


@dataclass(frozen=True)
class Template:
    """A parsed template. `error` is set (and `data` empty) when it could not be read."""

    path: str
    data: MarkedDict
    resources: tuple[Resource, ...]
    error: TemplateSyntaxError | None = None

    def section(self, name: str) -> MarkedDict:
        """A top-level section as a mapping; a missing or null section is an empty one."""
        value = self.data.get(name)
        return value if isinstance(value, MarkedDict) else MarkedDict()

    def resource(self, logical_id: str) -> Resource | None:
        for resource in self.resources:
            if resource.logical_id == logical_id:
                return resource
        return None

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.type in types)

    @property
    def logical_ids(self) -> frozenset[str]:
        return frozenset(r.logical_id for r in self.resources)


@dataclass(frozen=True)
class Listing:
    """What a walk of the repo found, without following any link."""

    files: tuple[str, ...]
    dirs: tuple[str, ...]
    symlinks: tuple[tuple[str, str], ...]  # (repo-relative path, link target as written)
    truncated: bool = False


@dataclass
class LoadedRepo:
    """One service repo as the rules see it. Mutable only for its lazy file cache.

    `name` identifies the repo in reports (its folder, or the URL's name for a clone): two
    repos that claim the same service name stay two repos. `service` is the name the service
    claims (manifest `metadata.name`, else the folder name).
    """

    name: str
    root: Path
    service: str
    listing: Listing
    template: Template | None
    manifest: Any = None
    manifest_error: TemplateSyntaxError | None = None
    # The manifest file's other documents (Backstage entities beside the Component: an API...).
    manifest_entities: tuple[Any, ...] = ()
    answers: dict[str, Any] | None = None
    policy: Policy = field(default_factory=Policy)
    _texts: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def files(self) -> tuple[str, ...]:
        return self.listing.files

    def exists(self, rel: str) -> bool:
        return rel in self._file_set or rel.rstrip("/") in self._dir_set

    @property
    def _file_set(self) -> frozenset[str]:
        cached = self.__dict__.get("_fs")
        if cached is None:
            cached = self.__dict__["_fs"] = frozenset(self.listing.files)
        return cached

    @property
    def _dir_set(self) -> frozenset[str]:
        cached = self.__dict__.get("_ds")
        if cached is None:
            cached = self.__dict__["_ds"] = frozenset(self.listing.dirs)
        return cached

    def files_under(self, folder: str) -> Iterator[str]:
        prefix = folder.rstrip("/") + "/"
        return (f for f in self.listing.files if f.startswith(prefix))

    def text(self, rel: str) -> str | None:
        """The file's text, or None if it is missing, too large, binary or not UTF-8."""
        if rel not in self._texts:
            self._texts[rel] = read_text(self.root / rel) if rel in self._file_set else None
        return self._texts[rel]


def read_text(path: Path) -> str | None:
    try:
        if path.is_symlink() or path.stat().st_size > MAX_TEXT_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def scan_tree(root: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(repo-relative POSIX path, entry) for everything under root, links not followed.

    Folders in SKIPPED_DIRS are yielded but not entered; stops after MAX_FILES files.
    """
    base = str(root)  # plain strings: pathlib joins cost more than the scandir itself here
    stack = [""]
    seen_files = 0
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(base, rel_dir) if rel_dir else base) as scan:
                entries = list(scan)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            yield rel, entry
            if entry.is_dir(follow_symlinks=False) and entry.name not in SKIPPED_DIRS:
                stack.append(rel)
            else:
                seen_files += 1
        if seen_files > MAX_FILES:
            return


def list_repo(root: Path) -> Listing:
    """Every file and folder under root, relative and POSIX, sorted; links recorded, not followed."""
    files: list[str] = []
    dirs: list[str] = []
    links: list[tuple[str, str]] = []
    for rel, entry in scan_tree(root):
        if entry.is_symlink():
            try:
                links.append((rel, os.readlink(entry.path)))
            except OSError:
                links.append((rel, ""))
        elif entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_DIRS:
                dirs.append(rel)
        elif entry.is_file(follow_symlinks=False):
            files.append(rel)
    return Listing(tuple(sorted(files)), tuple(sorted(dirs)), tuple(sorted(links)),
                   truncated=len(files) > MAX_FILES)


def find_template(root: Path) -> Path | None:
    """The repo's template at its root (never a link: it could point outside the repo)."""
    base = str(root)
    for name in TEMPLATE_NAMES:
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate) and not os.path.islink(candidate):
            return root / name
    return None


def _merge(global_value: Any, local_value: Any) -> Any:
    """SAM's Globals semantics: maps merge, lists concatenate, scalars are overridden."""
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = MarkedDict(global_value)
        merged.line, merged.col = getattr(local_value, "line", 0), getattr(local_value, "col", 0)
        for key, value in local_value.items():
            merged[key] = _merge(global_value[key], value) if key in global_value else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        combined = MarkedList([*global_value, *local_value])
        combined.line, combined.col = getattr(local_value, "line", 0), getattr(local_value, "col", 0)
        return combined
    return local_value


def build_resources(data: MarkedDict) -> tuple[Resource, ...]:
    globals_section = data.get("Globals")
    globals_by_type: dict[str, MarkedDict] = {}
    if isinstance(globals_section, dict):
        for section, resource_type in GLOBALS_SECTIONS.items():
            value = globals_section.get(section)
            if isinstance(value, MarkedDict):
                globals_by_type[resource_type] = value
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return ()
    built: list[Resource] = []
    for logical_id, node in resources.items():
        if not isinstance(node, MarkedDict):
            continue
        rtype = node.get("Type")
        rtype = rtype if isinstance(rtype, str) else ""
        properties = node.get("Properties")
        if not isinstance(properties, MarkedDict):
            properties = MarkedDict()
            properties.line, properties.col = getattr(node, "line", 0), getattr(node, "col", 0)
        if rtype in globals_by_type:
            properties = _merge(globals_by_type[rtype], properties)
        metadata = node.get("Metadata")
        built.append(
            Resource(str(logical_id), rtype, node, properties,
                     metadata if isinstance(metadata, MarkedDict) else MarkedDict())
        )
    return tuple(built)


def load_template(root: Path, path: Path) -> Template:
    rel = path.relative_to(root).as_posix()
    text = read_text(path)
    if text is None:
        error = TemplateSyntaxError("template is not a readable UTF-8 text file under 2 MiB")
        return Template(rel, MarkedDict(), (), error)
    try:
        data = expand_loops(load_template_text(text, is_json=rel.endswith(".json")))
    except TemplateSyntaxError as error:
        return Template(rel, MarkedDict(), (), error)
    if data is None:
        return Template(rel, MarkedDict(), (), TemplateSyntaxError("template is empty"))
    if not isinstance(data, dict):
        return Template(rel, MarkedDict(), (), TemplateSyntaxError("template is not a mapping", 1, 1))
    if not isinstance(data, MarkedDict):  # the JSON fallback has no positions
        data = _to_marked(data)
    return Template(rel, data, build_resources(data))


def _to_marked(value: Any) -> Any:
    out: MarkedDict | MarkedList | MarkedStr
    if isinstance(value, dict):
        out = MarkedDict((_to_marked(k), _to_marked(v)) for k, v in value.items())
    elif isinstance(value, list):
        out = MarkedList(_to_marked(v) for v in value)
    elif isinstance(value, str):
        out = MarkedStr(value)
    else:
        return value
    out.line = out.col = 0
    return out


def load_manifest(root: Path) -> tuple[Any, tuple[Any, ...], TemplateSyntaxError | None]:
    """The manifest's service entity, its other entities, and why it could not be read."""
    path = root / MANIFEST_NAME
    if not path.is_file() or path.is_symlink():
        return None, (), None
    text = read_text(path)
    if text is None:
        return None, (), TemplateSyntaxError("manifest is not a readable UTF-8 text file")
    try:
        return (*service_entity(loads_all(text)), None)
    except TemplateSyntaxError as error:
        return None, (), error


def service_entity(documents: list[Any]) -> tuple[Any, tuple[Any, ...]]:
    """The document that describes the service, and the others.

    Backstage lets one catalog-info.yaml hold several entities (`---` between them), commonly a
    Component and the API it provides. The service is the `kind: Component` document (the first
    one: LAY006 reports any other); with none, the first document stands for it, so the schema
    says what is wrong with it.
    """
    if not documents:
        return None, ()
    index = next((i for i, d in enumerate(documents)
                  if isinstance(d, dict) and d.get("kind") == "Component"), 0)
    return documents[index], tuple(documents[:index] + documents[index + 1:])


def load_answers(root: Path) -> dict[str, Any] | None:
    import json

    text = read_text(root / ANSWERS_PATH)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def service_name(folder: str, manifest: Any) -> str:
    if isinstance(manifest, dict):
        metadata = manifest.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
            return str(metadata["name"])
    return folder


def load_repo(root: Path, policy: Policy | None = None, name: str | None = None) -> LoadedRepo:
    """Read one repo. Never raises for a broken repo: problems are recorded for the rules."""
    listing = list_repo(root)
    template_path = find_template(root)
    template = load_template(root, template_path) if template_path else None
    manifest, manifest_entities, manifest_error = load_manifest(root)
    name = name or root.name
    return LoadedRepo(
        name=name,
        root=root,
        service=service_name(name, manifest),
        listing=listing,
        template=template,
        manifest=manifest,
        manifest_error=manifest_error,
        manifest_entities=manifest_entities,
        answers=load_answers(root),
        policy=policy or Policy(),
    )


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) below value, depth first, paths joined with '/'."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, f"{path}/{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, f"{path}/{index}" if path else str(index))
