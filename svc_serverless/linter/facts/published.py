"""Facts as CI publishes them: `svc facts PATH` writes them, `svc lint --facts DIR` reads them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.facts.codec import FACTS_VERSION, facts_from_json, facts_to_json
from svc_serverless.linter.facts.extract import read_facts

if TYPE_CHECKING:
    from svc_serverless.linter.result import RepoResult

SCHEMA_PATH = Path(__file__).parent.parent / "schemas" / "facts.schema.json"


def facts_json_for_path(path: Path) -> str:
    """The facts of the repo at path as indented JSON; SvcError if path is not a service repo."""
    from svc_serverless.linter.model import find_template, load_repo

    root = path.resolve()
    if not root.is_dir():
        raise SvcError(f"{path} is not a folder: give the path of a service repo")
    if find_template(root) is None:
        raise SvcError(
            f"{path} is not a service repo: "
            "no template.yaml, template.yml or template.json at its root"
        )
    # Incomplete facts published as complete would let the organisation rules pass this repo
    # unchecked: a crash or an unreadable part is a one-line error, never exit 0 or exit 3.
    try:
        facts, unread = read_facts(load_repo(root))
    except Exception as err:  # noqa: BLE001 - no input may produce exit 3
        from svc_serverless.linter.engine import describe_crash

        raise SvcError(f"svc crashed while extracting the facts of {path}: "
                       f"{describe_crash(err)}; no facts written (please report this)") from None
    if unread:
        first = unread[0]
        line, col = position(first.node)
        raise SvcError(f"{path}: {facts.template}:{line}:{col}: {first.message} "
                       "(`svc lint` reports it as SVC002); no facts written")
    from svc_serverless.linter.report.safe import safe_json

    # Printed to CI logs and published as an artifact: repo text must not become a command.
    return safe_json(json.dumps(facts_to_json(facts), indent=2, ensure_ascii=False)) + "\n"


def _schema_validator() -> Any:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]  # lazy: only --facts pays

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _display(path: Path, cwd: Path) -> str:
    from svc_serverless.linter.files import shown

    try:
        return shown(path.relative_to(cwd).as_posix())
    except ValueError:
        return shown(str(path))


def _read_facts_file(path: Path, shown: str, validator: Any) -> RepoResult:
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads_json
    from svc_serverless.linter.files import MAX_FACTS_BYTES, Unreadable, decode_text, read_file
    from svc_serverless.linter.result import RepoResult

    def broken(why: str) -> RepoResult:
        return RepoResult(name=shown.rsplit("/", 1)[-1].removesuffix(".json"), path=shown,
                          error=f"{shown} is not a valid svc facts file: {why}")

    try:
        data = loads_json(decode_text(read_file(path, MAX_FACTS_BYTES)))
    except Unreadable as err:
        return broken(f"it {err.reason}")
    except TemplateSyntaxError as err:
        where = f" at line {err.line}" if err.line else ""
        return broken(f"invalid JSON{where} ({err.message})")
    if isinstance(data, dict) and data.get("version") != FACTS_VERSION:
        version = data.get("version")
        shown_version = repr(version) if isinstance(version, (str, int, float, bool)) else "?"
        return broken(f"version {shown_version[:40]}, this svc reads version {FACTS_VERSION}; "
                      "regenerate it with this svc's `svc facts`")
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        return broken(f"at {where[:200]}: {message}")
    try:
        facts = facts_from_json(data)
    except (ValueError, KeyError, TypeError) as err:
        return broken(f"{err.__class__.__name__}: {str(err)[:160]}")
    return RepoResult(name=facts.folder or facts.service, path=shown, facts=facts)


def _facts_files(folder: Path, directory: Path) -> list[Path]:
    """The `*.json` entries of folder, in name order; SvcError if it cannot be listed."""
    try:
        with os.scandir(folder) as scan:
            names = sorted(entry.name for entry in scan if entry.name.endswith(".json"))
    except OSError as err:
        raise SvcError(f"cannot list facts folder {directory}: "
                       f"{err.strerror or err.__class__.__name__}") from None
    return [folder / name for name in names]


def results_from_facts_dir(directory: Path, cwd: Path) -> list[RepoResult]:
    """One RepoResult (facts, no findings) per `*.json` in directory, in name order.

    A file that cannot be read or does not match the schema becomes a RepoResult with `error`
    (so the run reports it and goes on): a FIFO or folder named *.json too, a file over the
    size limit, one nested too deep. A missing or unlistable directory is a usage error.
    """
    folder = directory if directory.is_absolute() else cwd / directory
    try:
        is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except (OSError, ValueError):
        is_dir = False
    if not is_dir:
        raise SvcError(
            f"facts folder {directory} does not exist: give a folder of `svc facts` JSON files"
        )
    validator = _schema_validator()
    return [_read_facts_file(path, _display(path, cwd), validator)
            for path in _facts_files(folder, directory)]
