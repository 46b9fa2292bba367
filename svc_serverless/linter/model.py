"""The loaded model of one service repo: its files, its template (Globals merged) and manifest.

Loading is the only place that reads a repo: rules look at this model and never open files
themselves. File contents are read lazily, once, and bounded (size, encoding), so a rule that
looks at Python sources does not make every run pay for reading them.
"""

from __future__ import annotations

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
    loads_json,
)
from svc_serverless.linter.config import Policy
from svc_serverless.linter.files import (
    MAX_REPO_FILE_BYTES,
    Unreadable,
    decode_text,
    read_in_repo,
    shown,
)
from svc_serverless.linter.foreach import expand_loops
from svc_serverless.linter.listing import (
    MAX_FILES,
    SKIPPED_DIRS,
    TEMPLATE_NAMES,
    Listing,
    find_template,
    list_repo,
)

# Walking the repo is listing.py's; its names other modules know from here stay exported.
__all__ = [
    "ANSWERS_PATH", "MANIFEST_NAME", "MAX_FILES", "MAX_TEXT_BYTES", "SKIPPED_DIRS",
    "TEMPLATE_NAMES", "Listing", "LoadedRepo", "Resource", "Template", "build_resources",
    "find_template", "list_repo", "load_repo", "load_template", "service_name", "walk",
]

MANIFEST_NAME = "catalog-info.yaml"
ANSWERS_PATH = ".svc/answers.json"

MAX_TEXT_BYTES = MAX_REPO_FILE_BYTES

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
    _unread: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def unread(self) -> tuple[tuple[str, str], ...]:
        """(path, reason) of everything svc could not read: while listing, loading, or when a
        rule asked for a file's text. A repo with any is not fully checked (SVC006)."""
        return tuple(sorted({**dict(self.listing.unread), **self._unread}.items()))

    def unread_reason(self, rel: str) -> str | None:
        """Why `rel` could not be read, or None if it was read (or never asked for)."""
        return self._unread.get(rel) or dict(self.listing.unread).get(rel)

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
        """The file's text, or None if it is missing, too large, not a regular file, binary or
        not UTF-8; a listed file that cannot be read is recorded in `unread`."""
        if rel not in self._texts:
            listed = rel in self._file_set
            self._texts[rel] = _read_text(self.root, rel, self._unread) if listed else None
        return self._texts[rel]


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


def _read_text(root: Path, rel: str, unread: dict[str, str]) -> str | None:
    """The text of `rel`, or None: then why, unless it simply does not exist, is in `unread`."""
    try:
        return decode_text(read_in_repo(root, rel, MAX_TEXT_BYTES))
    except Unreadable as err:
        if not err.missing:
            unread[rel] = err.reason
        return None


def load_template(root: Path, path: Path, unread: dict[str, str] | None = None,
                  text: str | None = None) -> Template:
    """The template at `path`; `text` when already read. A failed read is added to `unread`
    (and the template gets an error, so rules skip it; SVC006 reports it, not SVC002)."""
    rel = path.relative_to(root).as_posix()
    failures: dict[str, str] = {} if unread is None else unread
    if text is None and rel not in failures:
        text = _read_text(root, rel, failures)
    if text is None:
        error = TemplateSyntaxError(f"template {failures.get(rel, 'cannot be read')}")
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


def load_manifest(text: str | None) -> tuple[Any, tuple[Any, ...], TemplateSyntaxError | None]:
    """The manifest's service entity, its other entities, and why it does not parse; (None, (),
    None) when there is none to read."""
    if text is None:
        return None, (), None
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


def load_answers(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = loads_json(text)
    except TemplateSyntaxError:
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
    listed = frozenset(listing.files)
    unread: dict[str, str] = {}
    texts: dict[str, str | None] = {}
    for rel in (*TEMPLATE_NAMES, MANIFEST_NAME, ANSWERS_PATH):
        if rel in listed:  # never a link, nothing outside the listing (`.svc -> /elsewhere`)
            texts[rel] = _read_text(root, rel, unread)
    template_path = find_template(root)
    template = None
    if template_path is not None:
        rel = template_path.name
        template = load_template(root, template_path, unread, texts.get(rel))
    manifest, manifest_entities, manifest_error = load_manifest(texts.get(MANIFEST_NAME))
    name = name or shown(root.name)
    return LoadedRepo(
        name=name,
        root=root,
        service=service_name(name, manifest),
        listing=listing,
        template=template,
        manifest=manifest,
        manifest_error=manifest_error,
        manifest_entities=manifest_entities,
        answers=load_answers(texts.get(ANSWERS_PATH)),
        policy=policy or Policy(),
        _texts=texts,
        _unread=unread,
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
