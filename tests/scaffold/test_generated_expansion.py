"""The resource estimate behind LAY010/LAY011 is exact on every `svc new` variant, and a
generated repo is far from the quota (tests/rules/test_expansion.py holds it on the corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from svc_serverless.linter.model import load_template
from svc_serverless.rules.layout._expansion import estimate
from tests.sam_expansion import go_offline, translated
from tests.scaffold.conftest import COMBOS, Combo, combo_ids


@pytest.mark.parametrize("combo", COMBOS, ids=combo_ids)
def test_the_estimate_equals_the_translator_on_every_generated_template(
    rendered: dict[Combo, Path], combo: Combo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    go_offline(monkeypatch, tmp_path)
    repo = rendered[combo]
    template = load_template(repo, repo / "template.yaml")
    output = translated(template.data)
    assert output is not None
    assert estimate(template).total == len(output["Resources"])
    assert len(output["Resources"]) < 100  # a fifth of the quota: LAY011 warns at 400
