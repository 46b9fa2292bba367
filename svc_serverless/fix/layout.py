"""The layout rules' fixes: write missing required files, rename folders to kebab-case."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import yaml

from svc_serverless.edit.yamledit import EditError
from svc_serverless.fix.context import FixContext
from svc_serverless.linter.rule import Finding

URI_KEYS = frozenset({"CodeUri", "ContentUri", "DefinitionUri"})


def _owner(ctx: FixContext) -> str:
    from svc_serverless.linter.facts import extract_facts
    from svc_serverless.scaffold.repo_files import CODEOWNERS_PLACES, TEAM, owner_from_codeowners

    owner = extract_facts(ctx.repo).owner
    if owner and TEAM.match(owner):
        return owner
    for place in CODEOWNERS_PLACES:
        text = ctx.repo.text(place)
        if text:
            return owner_from_codeowners(text)
    return ""


def fix_required_files(ctx: FixContext, findings: Sequence[Finding]) -> None:
    """LAY005: README.md always; catalog-info.yaml and CODEOWNERS when the owner is known."""
    from svc_serverless.linter.facts import extract_facts
    from svc_serverless.scaffold.repo_files import (
        catalog_text,
        codeowners_text,
        readme_text,
        service_name_for,
    )

    owner = _owner(ctx)
    facts = extract_facts(ctx.repo)
    name = facts.service if facts.manifest else service_name_for(ctx.root.name)
    for finding in findings:
        wanted = finding.file
        with ctx.attempt(f"LAY005 {wanted}"):
            kind = wanted.rsplit("/", 1)[-1]
            if kind.upper().startswith("README"):
                ctx.add_file("README.md" if "/" not in wanted else wanted, readme_text(name, owner))
            elif not owner:
                raise EditError("the owning team is unknown: run `svc adopt --owner TEAM`")
            elif kind == "CODEOWNERS":
                ctx.add_file(wanted, codeowners_text(owner))
            elif wanted == "catalog-info.yaml":
                ctx.add_file(wanted, catalog_text(facts, name, owner))
            else:
                raise EditError("svc does not know what this file should hold")


def _uri_nodes(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Every string value of a CodeUri, ContentUri or DefinitionUri key, at any depth."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (isinstance(key, yaml.ScalarNode) and key.value in URI_KEYS
                    and isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:str"):
                yield value
            else:
                yield from _uri_nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _uri_nodes(item)


def _moved(uri: str, old: str, new: str) -> str | None:
    """`uri` pointing at `new` instead of `old` (as written: ./ and trailing / kept), or None."""
    lead = "./" if uri.startswith("./") else ""
    path = uri[len(lead):]
    if path.rstrip("/") == old:
        return lead + new + path[len(old):]
    if path.startswith(old + "/"):
        return lead + new + path[len(old):]
    return None


def fix_folder_names(ctx: FixContext, findings: Sequence[Finding]) -> None:
    """LAY008: rename each folder to its kebab-case name and repoint the template at it."""
    from svc_serverless.rules.layout._code import kebab

    for finding in findings:
        old = finding.file
        parent, _, name = old.rpartition("/")
        new = f"{parent}/{kebab(name)}"
        with ctx.attempt(f"LAY008 {old}"):
            if (ctx.root / new).exists() or any(n == new for _, n in ctx.renames):
                raise EditError(f"{new} exists already")
            if ctx.template_path.endswith(".json"):
                raise EditError("a JSON template is not edited by --fix")
            editor = ctx.editor
            for node in _uri_nodes(editor.root):
                moved = _moved(node.value, old, new)
                if moved is not None:
                    editor.replace(node, moved)
            ctx.renames.append((old, new))
