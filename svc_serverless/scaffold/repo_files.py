"""The repo-level files svc writes for a repo it did not create (`svc adopt`, LAY005's fix).

They are built from the facts svc infers from the template (name, events, APIs), so the
manifest agrees with the template from the start (ORG007), and they never carry a guess: the
owning team comes from the user (`--owner`), the manifest or CODEOWNERS, or the file is not
written.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from svc_serverless.linter.facts import EVENTS, Facts

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
TEAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")
CODEOWNERS_PLACES = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")


def service_name_for(folder: str) -> str:
    """A manifest name (kebab-case, 3 to 40 characters) made from a folder name."""
    from svc_serverless.rules.layout._code import kebab

    name = kebab(folder)[:40].rstrip("-")
    return name if len(name) >= 3 else f"{name}-service"[:40]


def owner_from_codeowners(text: str) -> str:
    """The first owner of the catch-all line (`* @team`), without its `@`, or ""."""
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 2 and parts[0] in ("*", "/", "/*") and parts[1].startswith("@"):
            owner = parts[1][1:]
            return owner if TEAM.match(owner) else ""
    return ""


def codeowners_text(owner: str) -> str:
    return f"# Every change to this service is reviewed by the team that owns it.\n* @{owner}\n"


def _events(events: Any) -> list[dict[str, str]]:
    """The exact EventBridge events (never AWS's own): a pattern or a permission for any
    detail-type names no event, so it is left for the team to declare (ORG007 asks)."""
    from svc_serverless.rules.org.index import is_aws_source

    seen: list[dict[str, str]] = []
    for event in events:
        if (event.channel != EVENTS or not (event.source.is_exact and event.detail_type.is_exact)
                or is_aws_source(event.source)):
            continue
        item = {"source": event.source.value, "detailType": event.detail_type.value}
        if item not in seen:
            seen.append(item)
    return seen


def catalog_text(facts: Facts, name: str, owner: str, lifecycle: str = "production") -> str:
    """catalog-info.yaml for the service, with the events and APIs its template declares."""
    apis = []
    for api in facts.apis_provided:
        if api.name and api.base_path.startswith("/"):
            entry = {"name": api.name, "basePath": api.base_path}
            if entry not in apis:
                apis.append(entry)
    manifest = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name, "description": f"The {name} service",
                     "annotations": {"svc.dev/adopted-by": "svc"}},
        "spec": {
            "type": "service",
            "lifecycle": lifecycle,
            "owner": owner,
            "system": name,
            "svc": {
                "domain": name,
                "ssmPrefix": f"/{name}/",
                "apis": {"provides": apis},
                "events": {"publishes": _events(facts.publishes),
                           "consumes": _events(facts.consumes)},
            },
        },
    }
    body = yaml.safe_dump(manifest, sort_keys=False, default_flow_style=False, width=100)
    return ("# The service manifest: a Backstage Component. svc reads spec.svc (what this service\n"
            "# provides, publishes and consumes); written by svc from the template: check it.\n"
            + body)


def readme_text(name: str, owner: str) -> str:
    who = f"Owner: `{owner}`\n\n" if owner else ""
    return (
        f"# {name}\n\n{who}"
        "A serverless service on AWS, deployed with AWS SAM (`template.yaml`).\n\n"
        "## Build, test, deploy\n\n"
        "```sh\nsam build\nsam deploy --guided\n```\n\n"
        "## Checks\n\n"
        "`svc lint` checks the repo against the organisation's rules (share nothing, KMS, "
        "layout); `catalog-info.yaml` declares the service's owner, APIs and events.\n"
    )
