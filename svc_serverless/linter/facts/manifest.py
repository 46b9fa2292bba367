"""The manifest reader: identity and svc's declarations in catalog-info.yaml, and the answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svc_serverless.linter.facts.model import (
    ANY_VALUE,
    BACKSTAGE,
    EVENTS,
    MANIFEST,
    Api,
    Event,
    Loc,
    Name,
    exact,
    normalise_base_path,
    normalise_ssm_prefix,
)
from svc_serverless.linter.facts.values import as_items, as_str, get_in, loc_of

if TYPE_CHECKING:
    from svc_serverless.linter.facts.extract import Collected
    from svc_serverless.linter.model import LoadedRepo

MANIFEST_FILE = "catalog-info.yaml"
ANSWERS_FILE = ".svc/answers.json"


class ManifestReader:
    """The manifest (a Backstage Component): identity, and svc's declarations under spec.svc."""

    def __init__(self, manifest: Any, out: Collected) -> None:
        self.manifest = manifest if isinstance(manifest, dict) else {}
        self.out = out

    @property
    def spec(self) -> Any:
        return get_in(self.manifest, "spec")

    def field(self, *keys: str) -> str:
        return as_str(get_in(self.spec, *keys))

    def kind(self) -> str:
        if not self.manifest:
            return ""
        return "svc" if isinstance(get_in(self.spec, "svc"), dict) else BACKSTAGE

    def read(self) -> None:
        svc = get_in(self.spec, "svc")
        for key, target in (("publishes", self.out.publishes), ("consumes", self.out.consumes)):
            for item in as_items(get_in(svc, "events", key)):
                event = self._event(item)
                if event is not None:
                    target.append(event)
        self._apis(svc)
        prefix_node = get_in(svc, "ssmPrefix")
        prefix = normalise_ssm_prefix(as_str(prefix_node) + "/") if prefix_node else ""
        if prefix:
            self.out.ssm_prefixes.append(Name(prefix, loc_of(MANIFEST_FILE, prefix_node), MANIFEST))

    def _event(self, item: Any) -> Event | None:
        source = as_str(get_in(item, "source"))
        if not source:
            return None
        detail = as_str(get_in(item, "detailType"))
        return Event(exact(source), exact(detail) if detail else ANY_VALUE,
                     loc_of(MANIFEST_FILE, item), EVENTS, MANIFEST)

    def _apis(self, svc: Any) -> None:
        declared: set[str] = set()
        for item in as_items(get_in(svc, "apis", "provides")):
            name, base = as_str(get_in(item, "name")), as_str(get_in(item, "basePath"))
            if name or base:
                declared.add(name)
                self.out.apis_provided.append(
                    Api(name, normalise_base_path(base) if base else "", loc_of(MANIFEST_FILE, item))
                )
        for item in as_items(get_in(self.spec, "providesApis")):
            if isinstance(item, str) and item and item not in declared:
                loc = loc_of(MANIFEST_FILE, item)
                self.out.apis_provided.append(Api(str(item), "", loc, BACKSTAGE))
        for item in as_items(get_in(self.spec, "consumesApis")):
            if isinstance(item, str) and item:
                self.out.apis_used.append(Name(str(item), loc_of(MANIFEST_FILE, item), "api"))


def service_loc(repo: LoadedRepo) -> Loc:
    """Where the service name is claimed: the manifest's metadata.name, else the template."""
    node = get_in(repo.manifest, "metadata", "name")
    if isinstance(node, str):
        return loc_of(MANIFEST_FILE, node)
    return Loc(repo.template.path if repo.template else "", 1, 1)


def scaffold(repo: LoadedRepo) -> tuple[str, Loc]:
    """The svc version recorded at scaffold time, and the line that records it."""
    answers = repo.answers if isinstance(repo.answers, dict) else {}
    version = as_str(answers.get("svc_version"))
    if not version:
        return "", Loc("")
    text = repo.text(ANSWERS_FILE) or ""
    for number, line in enumerate(text.splitlines(), start=1):
        col = line.find('"svc_version"')
        if col >= 0:
            return version, Loc(ANSWERS_FILE, number, col + 1)
    return version, Loc(ANSWERS_FILE, 1, 1)
