"""Tests of the __NAME__ layer (layers/__NAME__/)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "layers" / "__NAME__" / "__SNAKE__" / "__init__.py"


def test_the_layer_imports_and_answers() -> None:
    spec = importlib.util.spec_from_file_location("__SNAKE__", PACKAGE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.describe() == "__NAME__"
