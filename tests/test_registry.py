"""The rule registry: codes unique and well-formed, every rule documented and tested both ways."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from svc_serverless.linter.rule import AnyRule
from svc_serverless.rules import ALL_RULES, REPO_RULES

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")
CODE = re.compile(r"^(SVC|SN|KMS|LAY|ORG)\d{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CASES = Path(__file__).parent / "rules" / "cases"
ORG_CASES = Path(__file__).parent / "org" / "cases"


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    assert all(CODE.match(c) for c in codes), codes
    assert all(NAME.match(n) for n in names), names


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_a_complete_page(rule: AnyRule) -> None:
    doc = rule.doc
    summary = doc.strip().splitlines()[0]
    assert summary and not summary.startswith("#"), f"{rule.code}: first line must be a summary"
    missing = [s for s in SECTIONS if s not in doc]
    assert missing == [], f"{rule.code} lacks {missing}"
    assert doc.count("```") >= 4, f"{rule.code}: Example and Use instead need code blocks"


def _case_counts(folder: Path, code: str) -> tuple[int, int]:
    path = folder / f"{code}.yaml"
    if not path.exists():
        return 0, 0
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    firing = sum(1 for c in cases if c["findings"])
    return firing, len(cases) - firing


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.check is not None], ids=lambda r: r.code)
def test_every_checking_rule_has_firing_and_silent_cases(rule: AnyRule) -> None:
    folder = CASES if rule in REPO_RULES else ORG_CASES
    firing, silent = _case_counts(folder, rule.code)
    assert firing >= 1, f"{rule.code}: add a case where it fires to {folder}/{rule.code}.yaml"
    assert silent >= 1, f"{rule.code}: add a case where it stays silent to {folder}/{rule.code}.yaml"
