"""The service manifest catalog-info.yaml does not parse or does not match the svc schema.

## What it does
Reads `catalog-info.yaml` (a Backstage `Component` entity with svc's own facts under `spec.svc`)
and reports:

- a file that is not valid YAML (duplicate keys included), at the line where parsing stopped;
- an empty file;
- in a file of several entities (YAML documents separated by `---`, as Backstage allows: the
  service's `Component` and, say, the `API` it provides), a second `Component` (one repo is one
  service) or a document that is not a Backstage entity (`apiVersion`, `kind`, `metadata.name`).
  The service is the `kind: Component` document; the others are left to the catalog;
- every difference from the svc manifest schema (`linter/schemas/manifest.schema.json`, JSON
  Schema draft 2020-12), each at the line of the offending value, named by its path: a missing
  `spec.owner`, a `spec.lifecycle` outside `experimental`/`production`/`deprecated`, a
  `metadata.name` that is not kebab-case, an `ssmPrefix` that is not `/<name>/`, events without a
  `source` or `detailType`...

A missing manifest is LAY005's finding, not this rule's.

## Why is this bad?
The manifest is what the organisation knows about the service: who owns it (incidents and
reviews go there), what lifecycle it is in, which events it publishes and consumes and which
APIs it provides. svc's organisation rules (unique names, event contracts, dependency cycles)
and the service catalog read it; a manifest they cannot read makes the service invisible to
them, and a wrong field makes them report wrong things about every service that talks to it.

## Example
```yaml
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Orders_Service
spec:
  type: service
  lifecycle: prod
```

## Use instead
```yaml
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  description: Takes and tracks customer orders.
spec:
  type: service
  lifecycle: production
  owner: team-orders
  svc:
    domain: sales
    ssmPrefix: /orders/
    apis:
      provides:
        - {name: orders-api, basePath: /orders}
    events:
      publishes:
        - {source: orders, detailType: OrderPlaced}
      consumes: []
```
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any

from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.model import MANIFEST_NAME, LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.kms._keys import key_node

SCHEMA = "schemas/manifest.schema.json"  # package data of `linter`
FIX = "fix it to match the svc manifest schema (svc rules LAY006)"
_MAX_MESSAGE = 160


@cache
def _validator() -> Any:
    """The schema's validator, built once per process and only when a manifest exists."""
    import jsonschema  # lazy: importing it costs ~0.1 s, and most runs need it once

    schema = json.loads(resources.files("svc_serverless.linter").joinpath(SCHEMA).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def check(repo: LoadedRepo) -> Iterator[Problem]:
    error = repo.manifest_error
    if error is not None:
        yield Problem(
            f"{MANIFEST_NAME} cannot be parsed: {error.message}: fix the YAML",
            file=MANIFEST_NAME, line=error.line, col=error.col, path=MANIFEST_NAME,
            subject=error.message,
        )
        return
    if repo.manifest is None:
        if repo.exists(MANIFEST_NAME) and repo.unread_reason(MANIFEST_NAME) is None:
            yield Problem(f"{MANIFEST_NAME} is empty: {FIX}", file=MANIFEST_NAME,
                          path=MANIFEST_NAME, subject="empty")
        return
    yield from _other_entities(repo.manifest_entities)
    errors = sorted(_validator().iter_errors(repo.manifest), key=lambda e: list(map(str, e.absolute_path)))
    for err in errors:
        where = _dotted(list(err.absolute_path))
        line, col = _position(repo.manifest, list(err.absolute_path))
        message = err.message if len(err.message) <= _MAX_MESSAGE else err.message[:_MAX_MESSAGE] + "..."
        yield Problem(
            f"{MANIFEST_NAME}: {where}: {message}: {FIX}",
            file=MANIFEST_NAME, line=line, col=col,
            path=f"{MANIFEST_NAME}/{where}", subject=f"{err.validator}:{err.message}"[:200],
        )


def _other_entities(entities: Sequence[Any]) -> Iterator[Problem]:
    """The documents beside the service's Component: entities of their own, not a second service."""
    for entity in entities:
        line, col = position(entity)
        name = _get_str(entity, "metadata", "name")
        if _get_str(entity, "kind") == "Component":
            yield Problem(
                f"{MANIFEST_NAME}: a second Component entity{f' {name!r}' if name else ''}: one "
                "repo is one service; give it its own repo and catalog-info.yaml",
                file=MANIFEST_NAME, line=line, col=col, path=f"{MANIFEST_NAME}/Component",
                subject=f"second-component:{name}"[:200],
            )
        elif not (name and _get_str(entity, "apiVersion") and _get_str(entity, "kind")):
            yield Problem(
                f"{MANIFEST_NAME}: the document at line {line} is not a Backstage entity "
                f"(apiVersion, kind and metadata.name): {FIX}",
                file=MANIFEST_NAME, line=line, col=col, path=f"{MANIFEST_NAME}/document",
                subject=f"not-an-entity:{line}",
            )


def _get_str(value: Any, *keys: str) -> str:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return str(value) if isinstance(value, str) else ""


def _dotted(path: Sequence[Any]) -> str:
    """`spec.svc.events.publishes[0].source`, or `(top level)`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _position(manifest: Any, path: Sequence[Any]) -> tuple[int, int]:
    """Where the value at `path` is written: a string itself, else its key (or list item).

    A mapping's own position is its first key, which may be a line below the key that holds
    it; ints, bools and nulls have no position at all: so report at the key.
    """
    node = manifest
    best = position(node)
    for part in path:
        where: object
        if isinstance(node, dict) and part in node:
            where, node = key_node(node, part), node[part]
            if isinstance(node, str):
                where = node
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            where = node = node[part]
        else:
            break
        if position(where)[0]:
            best = position(where)
    return best


RULE = Rule(
    code="LAY006",
    name="manifest-valid",
    severity="error",
    tags=("layout", "manifest"),
    doc=__doc__ or "",
    check=check,
)
