"""The __NAME__ layer: code the __SERVICE__ functions share (import __SNAKE__)."""

from __future__ import annotations


def describe() -> str:
    return "__NAME__"
