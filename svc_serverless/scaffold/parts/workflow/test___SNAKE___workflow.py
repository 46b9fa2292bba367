"""The __NAME__ workflow's definition: valid JSON, every state reachable, no literal ARN."""

from __future__ import annotations

import json
from pathlib import Path

DEFINITION = Path(__file__).resolve().parents[1] / "workflows" / "__NAME__" / "__NAME__.asl.json"


def test_the_definition_is_sound() -> None:
    text = DEFINITION.read_text(encoding="utf-8")
    definition = json.loads(text)
    assert definition["StartAt"] in definition["States"]
    assert "arn:" not in text
