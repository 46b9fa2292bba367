"""The one user-facing error type.

Anything the user can fix (a bad name, a missing file, a bad policy file) raises SvcError
with a one-line message that names the problem and the way out. `svc_serverless.cli.main` turns it
into `svc: error: <message>` and exit code 2; every other exception is an internal error.
"""

from __future__ import annotations

from collections.abc import Iterable


class SvcError(Exception):
    """A problem the user can fix; its message is one line that says how."""


def did_you_mean(value: str, choices: Iterable[str], cutoff: float = 0.75) -> str:
    """`; did you mean X?` for the choice closest to a typo, or "" when none is close."""
    from difflib import get_close_matches  # lazy: only an error pays for it

    close = get_close_matches(value, list(choices), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]}?" if close else ""
