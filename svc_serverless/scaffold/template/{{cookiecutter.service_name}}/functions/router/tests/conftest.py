from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

HANDLER = Path(__file__).resolve().parents[1] / "handler.py"


@pytest.fixture
def router(aws: None) -> ModuleType:
    """A fresh import of this function's handler.py, inside moto's AWS."""
    # Loaded by path under a unique name: every function has a handler.py.
    spec = importlib.util.spec_from_file_location("router_handler", HANDLER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
