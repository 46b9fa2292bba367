"""The answers file, `.svc/answers.json`: what a repo was rendered with, so it can be rendered again.

```json
{
  "svc_version": "0.2.0",
  "template_fingerprint": "sha256:...",
  "template": {"source": "bundled", "ref": null, "commit": null},
  "answers": {"service_name": "billing", "owner": "team-billing", ...}
}
```

`svc_version` is the svc that last rendered the repo (`svc new` or `svc update`): ORG008 and
`svc facts` read it, so it stays a top-level string. `template` says which template: `bundled`
(the one inside svc), an absolute folder path, or a git URL with the ref asked for and the
commit it resolved to. Files written before svc 0.2 have no `template` (they always used the
bundled one); `migrations.py` upgrades them.

The file lives in a repo, so it is read as hostile input: bounded in size, every value checked
for its type here, every answer checked again by `render.check_answers` before it reaches the
template engine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.scaffold.answers import Answer

ANSWERS_PATH = ".svc/answers.json"
MAX_BYTES = 64 * 1024
BUNDLED = "bundled"
# `svc adopt`: svc took the repo in as it was; no template ever rendered it, so there is no
# pristine render to merge a template change into.
ADOPTED = "adopted"


@dataclass(frozen=True)
class Origin:
    """Where a template came from: `bundled`, an absolute folder, or a git URL at a ref."""

    source: str
    ref: str | None = None  # what was asked for (a branch moves on); None: the remote's HEAD
    commit: str | None = None  # what it resolved to when rendered (git sources only)

    def describe(self) -> str:
        if self.source == BUNDLED:
            return "the bundled template"
        shown = self.source + (f"@{self.ref}" if self.ref else "")
        return shown + (f" ({self.commit[:12]})" if self.commit else "")


BUNDLED_ORIGIN = Origin(BUNDLED)


@dataclass(frozen=True)
class Record:
    """One answers file. `origin` is None in a pre-0.2 file (which always meant bundled)."""

    svc_version: str
    fingerprint: str
    origin: Origin | None
    answers: Mapping[str, Answer]

    def to_json(self) -> str:
        data: dict[str, Any] = {"svc_version": self.svc_version,
                                "template_fingerprint": self.fingerprint}
        if self.origin is not None:
            data["template"] = {"source": self.origin.source, "ref": self.origin.ref,
                                "commit": self.origin.commit}
        data["answers"] = dict(self.answers)
        return json.dumps(data, indent=2) + "\n"


def _invalid(where: str, why: str) -> SvcError:
    return SvcError(f"{where} is not a valid svc answers file ({why}): restore it from the "
                    "repo's history (git log -- .svc/answers.json)")


def parse(raw: bytes, where: str) -> Record:
    """The record in `raw`; any problem is a one-line SvcError naming `where`."""
    def bad(why: str) -> SvcError:
        return _invalid(where, why)

    if len(raw) > MAX_BYTES:
        raise bad(f"larger than {MAX_BYTES // 1024} KiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise bad("not UTF-8") from None
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than json can parse
        raise bad("not JSON") from None
    if not isinstance(data, dict):
        raise bad("not a JSON object")
    version, fingerprint = data.get("svc_version"), data.get("template_fingerprint")
    if not isinstance(version, str) or not version:
        raise bad("no svc_version")
    if not isinstance(fingerprint, str) or not fingerprint:
        raise bad("no template_fingerprint")
    answers = data.get("answers")
    if not isinstance(answers, dict) or not all(
            isinstance(key, str) and isinstance(value, (str, bool)) for key, value in answers.items()):
        raise bad("answers must be an object of strings and booleans")
    origin = None
    if "template" in data:
        template = data["template"]
        if not isinstance(template, dict) or not isinstance(template.get("source"), str):
            raise bad("template must be an object with a source")
        ref, commit = template.get("ref"), template.get("commit")
        if not (ref is None or isinstance(ref, str)) or not (commit is None or isinstance(commit, str)):
            raise bad("template ref and commit must be strings or null")
        origin = Origin(template["source"], ref, commit)
    return Record(version, fingerprint, origin, answers)


def read(root: Path) -> Record:
    """The record in the repo at `root` (its working tree)."""
    path = root / ANSWERS_PATH
    if path.is_symlink() or (root / ".svc").is_symlink():
        raise SvcError(f"{path} is a symbolic link: svc does not follow links; make it a regular file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SvcError(f"{root} was not made by svc (no {ANSWERS_PATH}): `svc update` and "
                       "`svc check` work on repos made by `svc new`") from None
    except OSError as err:
        raise SvcError(f"cannot read {path} ({err.strerror}): check its permissions") from None
    made = parse(raw, str(path))
    if made.origin is not None and made.origin.source == ADOPTED:
        raise SvcError(f"{root} was adopted (`svc adopt`), not made by `svc new`: it has no "
                       "template render to update from; `svc lint` and `svc lint --fix` keep "
                       "it to the rules")
    return made


def write(project: Path, record: Record) -> None:
    path = project / ANSWERS_PATH
    path.parent.mkdir(exist_ok=True)
    path.write_text(record.to_json(), encoding="utf-8")
