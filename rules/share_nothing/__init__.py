"""Rules of the share-nothing family."""

from __future__ import annotations

from linter.rule import Rule

RULES: tuple[Rule, ...] = ()
