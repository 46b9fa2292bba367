"""The versioned JSON form of facts (linter/schemas/facts.schema.json).

`facts_from_json(facts_to_json(f)) == f` exactly. Bump FACTS_VERSION (and the schema) whenever
the JSON shape changes.
"""

from __future__ import annotations

from typing import Any

from svc_serverless.linter.facts.model import (
    ANY,
    ANY_VALUE,
    ANYTHING_BUT,
    EXACT,
    KEYED_KINDS,
    Api,
    Event,
    Facts,
    Loc,
    Matcher,
    Name,
    Reference,
    exact,
)

FACTS_VERSION = 2  # 2: events carry their bus

# Compact, and shaped like what it describes (matchers read like event patterns).


def _loc_json(loc: Loc) -> list[Any]:
    return [loc.file, loc.line, loc.col]


def _loc_from(data: Any) -> Loc:
    file, line, col = data
    return Loc(str(file), int(line), int(col))


def _matcher_json(matcher: Matcher) -> Any:
    if matcher.kind == EXACT:
        return matcher.value
    if matcher.kind == ANY:
        return None
    if matcher.kind == ANYTHING_BUT:
        return {ANYTHING_BUT: list(matcher.values)}
    return {matcher.kind: matcher.value}


def _matcher_from(data: Any) -> Matcher:
    if data is None:
        return ANY_VALUE
    if isinstance(data, str):
        return exact(data)
    (kind, operand), = data.items()
    if kind == ANYTHING_BUT:
        return Matcher(ANYTHING_BUT, tuple(str(v) for v in operand))
    if kind not in KEYED_KINDS:
        raise ValueError(f"unknown matcher {kind!r}")
    return Matcher(str(kind), (str(operand),))


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "source": _matcher_json(event.source),
        "detail_type": _matcher_json(event.detail_type),
        "at": _loc_json(event.loc),
        "channel": event.channel,
        "origin": event.origin,
        "resource": event.resource,
        "bus": event.bus,
    }


def _event_from(data: dict[str, Any]) -> Event:
    return Event(_matcher_from(data["source"]), _matcher_from(data["detail_type"]),
                 _loc_from(data["at"]), str(data["channel"]), str(data["origin"]),
                 str(data["resource"]), str(data["bus"]))


def _api_json(api: Api) -> dict[str, Any]:
    return {"name": api.name, "base_path": api.base_path, "at": _loc_json(api.loc),
            "origin": api.origin}


def _api_from(data: dict[str, Any]) -> Api:
    return Api(str(data["name"]), str(data["base_path"]), _loc_from(data["at"]),
               str(data["origin"]))


def _name_json(name: Name) -> dict[str, Any]:
    return {"value": name.value, "kind": name.kind, "at": _loc_json(name.loc)}


def _name_from(data: dict[str, Any]) -> Name:
    return Name(str(data["value"]), _loc_from(data["at"]), str(data["kind"]))


def _reference_json(ref: Reference) -> dict[str, Any]:
    return {"kind": ref.kind, "value": ref.value, "at": _loc_json(ref.loc)}


def _reference_from(data: dict[str, Any]) -> Reference:
    return Reference(str(data["kind"]), str(data["value"]), _loc_from(data["at"]))


_SCALARS = ("service", "folder", "owner", "lifecycle", "system", "domain", "manifest",
            "template", "template_ok", "scaffold_version")
_NAME_LISTS = ("apis_used", "outputs", "kms_keys", "ssm_prefixes", "owned_names")


def facts_to_json(facts: Facts) -> dict[str, Any]:
    """The versioned JSON form (linter/schemas/facts.schema.json)."""
    data: dict[str, Any] = {"version": FACTS_VERSION}
    data.update({key: getattr(facts, key) for key in _SCALARS})
    data["service_at"] = _loc_json(facts.service_loc)
    data["scaffold_at"] = _loc_json(facts.scaffold_loc)
    data["publishes"] = [_event_json(e) for e in facts.publishes]
    data["consumes"] = [_event_json(e) for e in facts.consumes]
    data["apis_provided"] = [_api_json(a) for a in facts.apis_provided]
    for key in _NAME_LISTS:
        data[key] = [_name_json(n) for n in getattr(facts, key)]
    data["references"] = [_reference_json(r) for r in facts.references]
    return data


def facts_from_json(data: dict[str, Any]) -> Facts:
    """Facts from their JSON form; ValueError/KeyError/TypeError if it is not that form."""
    version = data.get("version")
    if version != FACTS_VERSION:
        raise ValueError(
            f"facts version {version!r} is not {FACTS_VERSION}: produce the facts with the same "
            "svc version that lints them"
        )
    names = {key: tuple(_name_from(n) for n in data[key]) for key in _NAME_LISTS}
    return Facts(
        service=str(data["service"]),
        folder=str(data["folder"]),
        owner=str(data["owner"]),
        lifecycle=str(data["lifecycle"]),
        system=str(data["system"]),
        domain=str(data["domain"]),
        service_loc=_loc_from(data["service_at"]),
        manifest=str(data["manifest"]),
        template=str(data["template"]),
        template_ok=bool(data["template_ok"]),
        scaffold_version=str(data["scaffold_version"]),
        scaffold_loc=_loc_from(data["scaffold_at"]),
        publishes=tuple(_event_from(e) for e in data["publishes"]),
        consumes=tuple(_event_from(e) for e in data["consumes"]),
        apis_provided=tuple(_api_from(a) for a in data["apis_provided"]),
        apis_used=names["apis_used"],
        outputs=names["outputs"],
        kms_keys=names["kms_keys"],
        ssm_prefixes=names["ssm_prefixes"],
        owned_names=names["owned_names"],
        references=tuple(_reference_from(r) for r in data["references"]),
    )
