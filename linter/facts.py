"""The facts of one repo that organisation rules reason about (extended by the org rules work)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from linter.model import LoadedRepo

FACTS_VERSION = 1


@dataclass(frozen=True)
class Facts:
    service: str
    owner: str


def extract_facts(repo: LoadedRepo) -> Facts:
    owner = ""
    if isinstance(repo.manifest, dict) and isinstance(repo.manifest.get("spec"), dict):
        owner = str(repo.manifest["spec"].get("owner") or "")
    return Facts(service=repo.name, owner=owner)


def facts_to_json(facts: Facts) -> dict[str, Any]:
    return {"version": FACTS_VERSION, **asdict(facts)}


def facts_json_for_path(path: Path) -> str:
    from linter.model import load_repo

    return json.dumps(facts_to_json(extract_facts(load_repo(path.resolve()))), indent=2) + "\n"


def facts_from_json(data: dict[str, Any]) -> Facts:
    return Facts(service=str(data["service"]), owner=str(data["owner"]))
