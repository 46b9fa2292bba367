"""Which values of a template come from SAM `Globals`, for rules that report them once.

SAM merges each `Globals` section into every resource of its type, so a value written once
there is the same object in each function's merged properties. A rule that reports per
resource groups what it finds on such a value and reports it once, at the Globals line.
"""

from __future__ import annotations

from svc_serverless.linter.model import GLOBALS_SECTIONS, Resource, Template


def globals_nodes(template: Template) -> set[int]:
    """The ids of every value and key written in `Globals` (not the section itself)."""
    section = template.section("Globals")
    found: set[int] = set()
    stack: list[object] = list(section.values()) + list(section)
    while stack:
        value = stack.pop()
        found.add(id(value))
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def globals_path(resource: Resource, *parts: str | int) -> str:
    """The logical place of a resource's property in `Globals` (its own path if it has none)."""
    section = next((s for s, t in GLOBALS_SECTIONS.items() if t == resource.type), None)
    if section is None:
        return resource.path(*parts)
    return "/".join(["Globals", section, *map(str, parts[1:])])


def names(resources: list[Resource]) -> str:
    """'A', 'B' for a message."""
    return ", ".join(f"'{r.logical_id}'" for r in resources)
