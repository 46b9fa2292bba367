"""Unit tests of the __NAME__ function alone."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

HANDLER = Path(__file__).resolve().parents[1] / "functions" / "__NAME__" / "handler.py"


def _handler() -> ModuleType:
    # Loaded by path under a unique name: every function has a handler.py.
    spec = importlib.util.spec_from_file_location("__SNAKE___handler", HANDLER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVENTS = {
    "api": {"routeKey": "GET /__SERVICE__/__NAME__"},
    "queue": {"Records": [{"messageId": "m1", "body": "{}"}, {"messageId": "m2", "body": "not json"}]},
    "schedule": {"time": "2025-01-01T00:00:00Z"},
    "event": {"source": "other", "detail-type": "Something"},
}
EXPECTED = {
    "api": {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"function": "__NAME__"})},
    "queue": {"batchItemFailures": [{"itemIdentifier": "m2"}]},
    "schedule": {"ran": True},
    "event": {"handled": "Something"},
}


def test_handler_answers_its_trigger() -> None:
    assert _handler().handler(EVENTS["__TRIGGER__"], None) == EXPECTED["__TRIGGER__"]
