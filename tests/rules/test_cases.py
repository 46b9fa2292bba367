"""Every repo rule's pass and fail cases, as data: tests/rules/cases/<CODE>.yaml.

A case file:

    rule: SN001
    cases:
      - name: import value in an environment variable
        files:                       # the repo to build (a template.yaml is required)
          template.yaml: |
            ...
        findings:                    # exactly the findings of this rule, sorted: [file, line, col]
          - [template.yaml, 7, 27]
        messages: ["payments-Table"] # optional: each must appear in some finding's message
        symlinks: {src: ../../elsewhere}  # optional: links created as written
      - name: own resources only
        files: {...}
        findings: []

Only the rule under test runs (as `--select CODE`), so a case asserts that rule's exact findings.
Each rule needs at least one case with findings and one without (tests/test_registry.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from svc_serverless.linter.config import Policy
from svc_serverless.linter.engine import lint_repo
from svc_serverless.rules import REPO_RULES

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}: {case['name']}"))
    return params


def write_repo(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def write_symlinks(root: Path, links: dict[str, str]) -> None:
    """`symlinks: {link: target}`: each link is created with its target as written."""
    for rel, target in links.items():
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)


@pytest.mark.parametrize(("code", "case"), load_cases())
def test_rule_case(tmp_path: Path, code: str, case: dict[str, Any]) -> None:
    root = tmp_path / case.get("repo", "svc-under-test")
    write_repo(root, case["files"])
    write_symlinks(root, case.get("symlinks") or {})
    result = lint_repo(root, Policy(select=(code,)), REPO_RULES, display_path=root.name)
    assert result.error is None
    found = [[f.file, f.line, f.column] for f in result.findings if f.rule == code]
    assert found == case["findings"], "\n".join(f"{f.file}:{f.line}:{f.column} {f.message}" for f in result.findings)
    for expected in case.get("messages", []):
        assert any(expected in f.message for f in result.findings), (expected, [f.message for f in result.findings])
