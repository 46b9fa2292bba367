"""Every organisation rule's firing and silent cases, as data: tests/org/cases/<CODE>.yaml.

A case file:

    rule: ORG001
    cases:
      - name: two repos claim one name
        svc_version: "0.5.0"          # optional: the version of the svc doing the linting
        policy: {max_minor_versions_behind: 1}   # optional organisation policy settings
        repos:                        # repos to build, by folder (a path: team-a/orders)
          orders:
            files:
              template.yaml: |
                ...
        findings:                     # exactly this rule's findings, sorted: [repo, file, line,
          - [orders, catalog-info.yaml, 4, 9]   # col]; repo = the service name it is about
        messages: ["claimed by 2 repos"]         # optional: each must appear in some message

Each case is checked twice: from facts extracted by linting the repos, and from the same facts
after a JSON round trip (what `svc lint --facts` reads): both must give the same findings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

import svc_serverless
from svc_serverless.linter.config import Policy
from svc_serverless.linter.engine import lint_repo, run_org_rules
from svc_serverless.linter.facts import Facts, facts_from_json, facts_to_json
from svc_serverless.linter.rule import Finding
from svc_serverless.rules import ORG_RULES

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}: {case['name']}"))
    return params


def write_repos(root: Path, repos: dict[str, Any]) -> list[Path]:
    """Build each repo of a case under root; return their folders in the case's order."""
    folders = []
    for folder, spec in repos.items():
        repo = root / folder
        for rel, content in spec["files"].items():
            target = repo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        folders.append(repo)
    return folders


def repo_facts(folders: Sequence[Path]) -> list[Facts]:
    facts = []
    for folder in folders:
        result = lint_repo(folder, Policy(select=("ORG",)), (), display_path=folder.name)
        assert result.error is None and result.facts is not None, result.error
        facts.append(result.facts)
    return facts


def org_lint(facts: Sequence[Facts], code: str, settings: dict[str, Any]) -> list[Finding]:
    policy = replace(Policy(select=(code,)), **settings)
    findings, crashes = run_org_rules(facts, ORG_RULES, policy, None)
    assert crashes == 0
    return sorted(f for f in findings if f.rule == code)


def show(findings: Sequence[Finding]) -> str:
    return "\n".join(f"{f.repo} {f.file}:{f.line}:{f.column} {f.message}" for f in findings)


@pytest.mark.parametrize(("code", "case"), load_cases())
def test_org_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, case: dict[str, Any]
) -> None:
    if "svc_version" in case:
        monkeypatch.setattr(svc_serverless, "__version__", case["svc_version"])
    facts = repo_facts(write_repos(tmp_path, case["repos"]))
    findings = org_lint(facts, code, case.get("policy", {}))
    found = [[f.repo, f.file, f.line, f.column] for f in findings]
    assert found == case["findings"], show(findings)
    for expected in case.get("messages", []):
        assert any(expected in f.message for f in findings), (expected, show(findings))
    # The same facts after a JSON round trip (what `svc lint --facts DIR` reads) agree exactly.
    reread = [facts_from_json(json.loads(json.dumps(facts_to_json(f)))) for f in facts]
    assert reread == facts
    assert org_lint(reread, code, case.get("policy", {})) == findings
