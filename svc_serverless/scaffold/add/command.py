"""`svc add KIND NAME`: check everything, build the change in memory, then write it at once.

Nothing is written until the new files, the edited template (checked by svc's loader) and the
edited manifest are all built. The new folder is written into a staging folder inside the repo
and renamed into place, the template and manifest are replaced atomically, and a failure half
way undoes what was written: the repo ends as it was, or with the whole addition.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
KIND_FOLDERS = {"function": "functions", "layer": "layers", "workflow": "workflows"}
MAX_TEXT = 256


@dataclass(frozen=True)
class AddOptions:
    kind: str  # function, layer, workflow
    name: str
    trigger: str = "none"
    runtime: str | None = None
    schedule: str = "rate(1 hour)"
    source: str = ""
    detail_type: str = ""
    path: Path = Path(".")


@dataclass(frozen=True)
class Change:
    root: Path
    files: dict[str, str]  # new files, repo-relative
    template: tuple[Path, str, str]  # path, old text, new text
    manifest: tuple[Path, str, str] | None
    resources: tuple[str, ...]


def _check_text(flag: str, value: str) -> None:
    if not value or len(value) > MAX_TEXT or any(ord(c) < 32 or c in "\"\\" for c in value):
        raise SvcError(f"{flag} must be 1 to {MAX_TEXT} printable characters without quotes")


def _check_options(options: AddOptions) -> None:
    if not NAME.match(options.name) or not 2 <= len(options.name) <= 40:
        raise SvcError(f"{options.kind} name {options.name!r} must be lower-case kebab-case, "
                       "2 to 40 characters (e.g. send-invoice)")
    if options.trigger == "event":
        _check_text("--source", options.source)
        _check_text("--detail-type", options.detail_type)
    if options.trigger == "schedule" and not re.fullmatch(r"(rate|cron)\([^()\"\\\n]{1,200}\)",
                                                          options.schedule):
        raise SvcError(f"--schedule {options.schedule!r} is not rate(...) or cron(...)")


def plan(options: AddOptions) -> Change:
    """Everything `svc add` would write; refuses (SvcError) with nothing written."""
    from svc_serverless.edit.write import check_yaml
    from svc_serverless.edit.yamledit import EditError, YamlEditor
    from svc_serverless.linter.model import load_repo
    from svc_serverless.scaffold.add import parts, wiring
    from svc_serverless.scaffold.add.service import read_service
    from svc_serverless.scaffold.adopt import find_repo

    _check_options(options)
    root = find_repo(options.path)
    repo = load_repo(root)
    service = read_service(repo, options.runtime)
    folder = f"{KIND_FOLDERS[options.kind]}/{options.name}"
    if (root / KIND_FOLDERS[options.kind]).is_dir() and any(
            p.name.lower() == options.name for p in (root / KIND_FOLDERS[options.kind]).iterdir()):
        raise SvcError(f"{folder} exists already: choose another name")
    values = parts.tokens(options.name, service.name, options.trigger)
    pascal = values["__PASCAL__"]
    extra = {"schedule": options.schedule, "source": options.source,
             "detail_type": options.detail_type}
    resources: dict[str, Any]
    if options.kind == "function":
        if options.trigger == "api" and service.http_api is None:
            raise SvcError("--trigger api needs the template's HTTP API "
                           "(one AWS::Serverless::HttpApi); there is none, or several")
        resources = wiring.function(service, options.name, pascal, options.trigger, **extra)
        files = parts.function_files(service.python, options.trigger, values)
    elif options.kind == "layer":
        resources = wiring.layer(service, options.name, pascal)
        files = parts.layer_files(service.python, values)
    else:
        resources = wiring.workflow(service, options.name, pascal, options.trigger, **extra)
        files = parts.workflow_files(service.python, values)
    taken = sorted(set(resources) & service.logical_ids)
    if taken:
        raise SvcError(f"the template already has {', '.join(taken)}: choose another name")
    existing = sorted(p for p in files if (root / p).exists())
    if existing:
        raise SvcError(f"{existing[0]} exists already: choose another name")
    assert repo.template is not None
    template_path = root / repo.template.path
    old = template_path.read_text(encoding="utf-8")
    try:
        editor = YamlEditor(old)
        for logical_id, body in resources.items():
            editor.add(["Resources"], logical_id, body)
        new = editor.text()
        check_yaml(new, "template")
    except EditError as err:
        raise SvcError(f"{repo.template.path}: {err}") from None
    manifest = None
    if options.trigger == "event":
        manifest = _consumed(root, options.source, options.detail_type)
    return Change(root, files, (template_path, old, new), manifest, tuple(resources))


def _consumed(root: Path, source: str, detail_type: str) -> tuple[Path, str, str] | None:
    """catalog-info.yaml with the consumed event recorded (None: no manifest to record it in)."""
    from svc_serverless.edit.write import check_yaml
    from svc_serverless.edit.yamledit import EditError, YamlEditor

    path = root / "catalog-info.yaml"
    if not path.is_file():
        return None
    old = path.read_text(encoding="utf-8")
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads

    try:
        manifest = loads(old)
    except TemplateSyntaxError as err:
        raise SvcError(f"catalog-info.yaml cannot be read ({err.message}): fix it (`svc lint` "
                       "says where) before adding an event consumer") from None
    events = manifest.get("spec", {}).get("svc", {}).get("events", {}) \
        if isinstance(manifest, dict) and isinstance(manifest.get("spec"), dict) else {}
    consumes = events.get("consumes") if isinstance(events, dict) else None
    if isinstance(consumes, list) and {"source": source, "detailType": detail_type} in consumes:
        return None  # already declared
    try:
        editor = YamlEditor(old)
        editor.append(["spec", "svc", "events", "consumes"],
                      {"source": source, "detailType": detail_type})
        new = editor.text()
        check_yaml(new, "catalog-info.yaml")
    except EditError as err:
        raise SvcError(f"catalog-info.yaml: {err}") from None
    return path, old, new


def write(change: Change) -> None:
    """Write the change: all of it, or (on any failure) none of it."""
    from svc_serverless.edit.write import write_atomic

    root = change.root
    tops = sorted({"/".join(p.split("/")[:2]) if not p.startswith("tests/") else p
                   for p in change.files})
    stage = Path(tempfile.mkdtemp(prefix=".svc-add-", dir=root))
    placed: list[Path] = []
    written: list[tuple[Path, str]] = []
    try:
        for relative, text in change.files.items():
            staged = stage / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(text, encoding="utf-8")
        for top in tops:
            destination = root / top
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.exists():
                raise SvcError(f"{top} appeared while svc add ran: nothing written")
            (stage / top).rename(destination)
            placed.append(destination)
        for edited in (change.template, change.manifest):
            if edited is not None:
                write_atomic(edited[0], edited[2])
                written.append((edited[0], edited[1]))
    except BaseException as err:
        for target, old in written:
            write_atomic(target, old)
        for destination in placed:
            if destination.is_dir():
                shutil.rmtree(destination)
            else:
                destination.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise SvcError(f"cannot write the addition ({err.strerror or err}): nothing was "
                           "changed") from None
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def add(options: AddOptions) -> int:
    change = plan(options)
    write(change)
    folder = f"{KIND_FOLDERS[options.kind]}/{options.name}/"
    print(f"added {options.kind} {options.name}: {folder}, "
          f"{len(change.resources)} resource(s) in {change.template[0].name}"
          + (" and the consumed event in catalog-info.yaml" if change.manifest else ""))
    if options.kind == "layer":
        print(f"use it from a function: Layers: [!Ref {change.resources[0]}]")
    return 0
