"""Rules of the org family."""

from __future__ import annotations

from linter.rule import OrgRule

RULES: tuple[OrgRule, ...] = ()
