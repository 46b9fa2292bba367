"""`svc lint --fix --unsafe-fixes` over copies of the real-world corpus."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.linter.cfnyaml import load_template_text
from tests.corpus import CORPUS, needs_corpus

FIXABLE = ("KMS001", "KMS002", "LAY005", "LAY008")


def _findings(capsys: pytest.CaptureFixture[str], folder: Path, out: Path) -> list[dict[str, str]]:
    main(["lint", str(folder), "--no-cache", "-f", "json", "-o", str(out)])
    capsys.readouterr()
    return [f for f in json.loads(out.read_text())["findings"] if not f.get("suppressed")]


def _cfn_errors(path: Path) -> set[str]:
    from cfnlint.api import ManualArgs, lint

    matches = lint(path.read_text(), config=ManualArgs(regions=["us-east-1"]))
    return {m.rule.id for m in matches if m.rule.id.startswith("E")}


@needs_corpus
def test_fix_over_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copies = tmp_path / "corpus"
    shutil.copytree(CORPUS, copies, symlinks=True)
    before = _findings(capsys, copies, tmp_path / "before.json")
    assert main(["lint", str(copies), "--fix", "--unsafe-fixes", "--no-cache", "-o",
                 str(tmp_path / "report.txt")]) == 1
    notes = capsys.readouterr().err
    after = _findings(capsys, copies, tmp_path / "after.json")
    counts = {code: (sum(f["rule"] == code for f in before), sum(f["rule"] == code for f in after))
              for code in FIXABLE}
    print(counts)
    assert counts["KMS001"][1] < counts["KMS001"][0] and counts["KMS002"][1] < counts["KMS002"][0]
    # What remains is what the fix says it cannot do, each with its note.
    for finding in after:
        if finding["rule"] in FIXABLE:
            assert f"svc: {finding['repo']}: {finding['rule']}" in notes, finding
    assert {f["file"] for f in after if f["rule"] == "LAY005"} <= {"catalog-info.yaml", "CODEOWNERS"}
    changed = []
    for template in sorted(copies.glob("*/template.y*ml")):
        original = CORPUS / template.parent.name / template.name
        if template.read_bytes() != original.read_bytes():
            load_template_text(template.read_text(), is_json=False)  # svc's loader reads it
            changed.append((original, template))
    assert len(changed) > 100
    # cfn-lint is slow (about a second a template): a fixed sample stands for the rest.
    for original, template in changed[::25]:
        assert _cfn_errors(template) <= _cfn_errors(original), template.parent.name
    assert Counter(f["rule"] for f in after)["SVC001"] == 0
