"""svc's linter: reads service repos and runs the rules in `rules/` over them.

`svc` the command lives in `linter.cli`; the version of svc lives here because the
linter is what every other part (scaffold records it, reports print it) refers to.
"""

from __future__ import annotations

__version__ = "0.1.0"
