"""The one user-facing error type.

Anything the user can fix (a bad name, a missing file, a bad policy file) raises SvcError
with a one-line message that names the problem and the way out. `svc_serverless.cli.main` turns it
into `svc: error: <message>` and exit code 2; every other exception is an internal error.
"""

from __future__ import annotations


class SvcError(Exception):
    """A problem the user can fix; its message is one line that says how."""
