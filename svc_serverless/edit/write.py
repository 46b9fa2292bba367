"""Writing a changed file: atomically, and only what svc's own loader can read back."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from svc_serverless.edit.yamledit import EditError


def check_yaml(text: str, what: str) -> None:
    """Refuse a result svc's template loader cannot parse (it would break the repo's gate)."""
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, load_template_text

    try:
        load_template_text(text, is_json=False)
    except TemplateSyntaxError as err:
        raise EditError(f"the edited {what} would not parse ({err.message}); nothing written") from None


def write_atomic(path: Path, text: str) -> None:
    """Replace (or create) `path` with `text`: a temporary file in the same folder, renamed.

    A reader, or a crash half-way, sees the old file or the new one, never a part of either.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".svc-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
