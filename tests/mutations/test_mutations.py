"""Single-violation mutations of a freshly generated service repo, as data: cases/*.yaml.

`svc new` writes a repo that lints clean; each case makes one small change to a copy of it and
states the whole lint result that must follow: exactly these findings (rule, file, line), and
nothing else, through `svc lint` as a CI gate runs it (exit 1 when a finding is an error).
Cases with no findings are look-alikes of violations that must stay silent.

A case:

    - name: queue encrypted with the AWS managed key
      edits:                                    # applied in order to the copy
        - file: template.yaml
          replace: "      KmsMasterKeyId: !GetAtt ServiceKey.Arn\\n      KmsDataKeyReusePeriodSeconds: 300\\n      RedrivePolicy:"
          with: "      KmsMasterKeyId: alias/aws/sqs\\n      KmsDataKeyReusePeriodSeconds: 300\\n      RedrivePolicy:"
      findings:
        - [KMS002, template.yaml, "KmsMasterKeyId: alias/aws/sqs"]

Edits: `replace`/`with` (the text must occur exactly once), `after`/`insert` (insert after
the one line containing `after`), `write` (create or overwrite a file), `delete: true`,
`symlink: target`. A finding's line is a number, or a text that occurs on exactly one line
of the mutated file: the expectation then follows the generated template if it changes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from svc_serverless.cli import main
from svc_serverless.scaffold.create import NewRequest, new_service

CASES_DIR = Path(__file__).parent / "cases"
SERVICE = "order-history"


def load_cases(clean: bool | None = None) -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            if clean is None or clean == (not case.get("findings")):
                params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One repo as `svc new` writes it, rendered once per test session."""
    out = tmp_path_factory.mktemp("generated")
    return new_service(NewRequest(name=SERVICE, owner="team-orders", output_dir=out, git=False))


def _once(text: str, needle: str, what: str) -> int:
    count = text.count(needle)
    assert count == 1, f"{what} {needle!r} occurs {count} times, not once: fix the case"
    return text.index(needle)


def apply(root: Path, edit: dict[str, Any]) -> None:
    target = root / edit["file"]
    if "write" in edit:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit["write"], encoding="utf-8")
    elif edit.get("delete"):
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    elif "symlink" in edit:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(edit["symlink"])
    elif "replace" in edit:
        text = target.read_text(encoding="utf-8")
        at = _once(text, edit["replace"], "replaced text")
        target.write_text(text[:at] + edit["with"] + text[at + len(edit["replace"]):],
                          encoding="utf-8")
    elif "after" in edit:
        text = target.read_text(encoding="utf-8")
        at = _once(text, edit["after"], "anchor") + len(edit["after"])
        end = at if edit["after"].endswith("\n") else text.index("\n", at) + 1
        target.write_text(text[:end] + edit["insert"] + text[end:], encoding="utf-8")
    else:
        raise AssertionError(f"unknown edit {edit}")


def line_of(root: Path, file: str, where: int | str) -> int:
    if isinstance(where, int):
        return where
    lines = [n for n, line in enumerate((root / file).read_text(encoding="utf-8").splitlines(), 1)
             if where in line]
    assert len(lines) == 1, f"{where!r} is on lines {lines} of {file}, not on one: fix the case"
    return lines[0]


def lint(root: Path, report: Path) -> tuple[int, list[dict[str, Any]]]:
    code = main(["lint", str(root), "--no-cache", "-f", "json", "-o", str(report)])
    findings: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return code, findings


def test_the_generated_repo_is_clean(generated: Path, tmp_path: Path) -> None:
    assert lint(generated, tmp_path / "report.json") == (0, [])


def test_there_are_enough_cases() -> None:
    """The suite's promise: many single violations across every family, many look-alikes."""
    violations, clean = load_cases(clean=False), load_cases(clean=True)
    families = {finding[0].rstrip("0123456789") for case in violations
                for finding in case.values[0]["findings"]}
    assert len(violations) >= 120 and len(clean) >= 25, (len(violations), len(clean))
    assert {"SN", "KMS", "LAY", "ORG", "SVC"} <= families, families


@pytest.mark.parametrize("case", load_cases())
def test_mutation(case: dict[str, Any], generated: Path, tmp_path: Path) -> None:
    root = tmp_path / SERVICE
    shutil.copytree(generated, root, symlinks=True)
    for edit in case["edits"]:
        apply(root, edit)
    code, findings = lint(root, tmp_path / "report.json")
    found = sorted((f["rule"], f["file"], f["line"]) for f in findings)
    expected = sorted((rule, file, line_of(root, file, where))
                      for rule, file, where in case.get("findings") or [])
    assert found == expected, "\n".join(
        f"{f['file']}:{f['line']} {f['rule']} {f['message']}" for f in findings)
    assert code == (1 if any(f["severity"] == "error" for f in findings) else 0)
