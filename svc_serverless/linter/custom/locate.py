"""Where a schema error is in the file: from jsonschema's `absolute_path` to a line and column.

Values read by svc's loader remember where they were (`cfnyaml.position`): mappings, lists and
strings do, numbers and booleans do not, and every mapping's keys are marked strings. So a
failing string, list item or mapping points at itself, a failing number or boolean at its key,
and a missing property at the key of the mapping that lacks it (a mapping's own position is its
first key, usually the line below). A path that leaves the marked values (a key SAM `Globals`
did not set) stops at the deepest place it reached, and the caller's anchor (the resource's
logical id) is the last resort.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from svc_serverless.linter.cfnyaml import position

Path = Sequence[str | int]


def step(container: Any, part: str | int) -> tuple[bool, Any, Any]:
    """(found, the key object or None, the value) one step down a path."""
    if isinstance(container, dict) and isinstance(part, str) and part in container:
        key = next((k for k in container if k == part), None)
        return True, key, container[part]
    if isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container):
        return True, None, container[part]
    return False, None, None


def locate(root: Any, path: Path, missing: bool) -> tuple[int, int, bool]:
    """(line, col, whole) of `path` below `root`; whole is False when the path left marked values.

    `missing`: the error is about a property absent from the value at `path` (`required`), so
    the place to show is the key that holds that value, not its first child.
    """
    value: Any = root
    key: Any = None
    best = position(root)
    reached = True
    for part in path:
        found, key_here, child = step(value, part)
        if not found:
            reached = False
            break
        value, key = child, key_here
        here = _place(value, key, missing=False)
        if here != (0, 0):
            best = here
    if reached:
        here = _place(value, key, missing)
        if here != (0, 0):
            best = here
    return best[0], best[1], reached


def _place(value: Any, key: Any, missing: bool) -> tuple[int, int]:
    if key is not None and (missing or isinstance(value, (dict, list)) or position(value) == (0, 0)):
        return position(key)
    return position(value)
