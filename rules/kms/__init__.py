"""Rules of the kms family."""

from __future__ import annotations

from linter.rule import Rule

RULES: tuple[Rule, ...] = ()
