"""Extraction: one pass of each reader over a loaded repo, gathered into frozen Facts.

Extraction runs in the per-repo worker for every repo, so it is one pass over the resources and
one walk over the document, and it never raises on an odd template: every value is checked
with isinstance before use. Everything an org rule may report on carries a `Loc` (file, line,
col in the repo) so org findings point at the exact place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svc_serverless.linter.facts.manifest import ManifestReader, scaffold, service_loc
from svc_serverless.linter.facts.model import Api, Event, Facts, Name, Reference
from svc_serverless.linter.facts.template import TemplateReader
from svc_serverless.linter.rule import Problem

if TYPE_CHECKING:
    from svc_serverless.linter.model import LoadedRepo


@dataclass
class Collected:
    """What the passes over one repo gather; turned into tuples for the frozen Facts."""

    publishes: list[Event] = field(default_factory=list)
    consumes: list[Event] = field(default_factory=list)
    apis_provided: list[Api] = field(default_factory=list)
    apis_used: list[Name] = field(default_factory=list)
    outputs: list[Name] = field(default_factory=list)
    kms_keys: list[Name] = field(default_factory=list)
    ssm_prefixes: list[Name] = field(default_factory=list)
    owned_names: list[Name] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    unread: list[Problem] = field(default_factory=list)  # parts svc could not read, and why


def unique(values: list[Any]) -> tuple[Any, ...]:
    """Drop repeats, keep first-seen order (Globals values are seen once per function)."""
    return tuple(dict.fromkeys(values))



def extract_facts(repo: LoadedRepo) -> Facts:
    """The facts of one loaded repo: cheap, and never raises on an odd template or manifest."""
    return read_facts(repo)[0]


def read_facts(repo: LoadedRepo) -> tuple[Facts, tuple[Problem, ...]]:
    """The facts, and the parts of the template svc could not read for them (with the reason).

    A part that could not be read (an EventPattern string nested too deep) is missing from the
    facts: the engine reports each as SVC002, and `svc facts` refuses to print facts without it.
    """
    out = Collected()
    manifest = ManifestReader(repo.manifest, out)
    manifest.read()
    template = repo.template
    if template is not None and template.error is None:
        TemplateReader(repo.service, template.path, template.data, out).read(template.resources)
    version, version_loc = scaffold(repo)
    return Facts(
        service=repo.service,
        folder=repo.name,
        owner=manifest.field("owner"),
        lifecycle=manifest.field("lifecycle"),
        system=manifest.field("system"),
        domain=manifest.field("svc", "domain"),
        service_loc=service_loc(repo),
        manifest=manifest.kind(),
        template=template.path if template is not None else "",
        template_ok=template is not None and template.error is None,
        scaffold_version=version,
        scaffold_loc=version_loc,
        publishes=unique(out.publishes),
        consumes=unique(out.consumes),
        apis_provided=unique(out.apis_provided),
        apis_used=unique(out.apis_used),
        outputs=unique(out.outputs),
        kms_keys=unique(out.kms_keys),
        ssm_prefixes=unique(out.ssm_prefixes),
        owned_names=unique(out.owned_names),
        references=unique(out.references),
    ), tuple(out.unread)
