"""Print a pip constraints file pinning every dependency to the lowest version pyproject allows.

CI installs the test environment a second time with these constraints, so a range we claim in
pyproject.toml is a range we test. A dependency without a lower bound is left free (and named
on stderr), since "the lowest version" of an unbounded range is not a version anyone runs.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

LOWER = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def lowest(requirement: str) -> str | None:
    match = LOWER.match(requirement.split(";")[0])
    if match is None:
        return None
    name, _, spec = match.groups()
    for clause in spec.split(","):
        clause = clause.strip()
        if clause.startswith(">="):
            return f"{name}=={clause[2:].strip()}"
        if clause.startswith("=="):
            return f"{name}=={clause[2:].strip()}"
    print(f"lowest-constraints: {name} has no lower bound; left unpinned", file=sys.stderr)
    return None


def main() -> int:
    project = tomllib.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    pins = sorted({pin for pin in map(lowest, requirements) if pin})
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
