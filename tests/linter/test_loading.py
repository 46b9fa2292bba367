"""Bad input never crashes the run: each becomes a finding or a repo error, quickly."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from svc_serverless.linter.config import Policy
from svc_serverless.linter.engine import lint_repo
from svc_serverless.linter.model import load_repo
from tests.linter.conftest import TEST_RULES

NOT_CHECKED = "svc could not check it, so this repo is not fully checked"


def only_svc002(root: Path) -> list[tuple[str, int, int, str]]:
    result = lint_repo(root, Policy(select=("SVC002",)), TEST_RULES)
    assert result.error is None
    return [(f.file, f.line, f.column, f.message) for f in result.findings]


def write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return root


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00\x01\x02binary", ("SVC006", "template.yaml is binary, not text: " + NOT_CHECKED)),
        ("Resources: {a: 'caf\xe9'}".encode("latin-1"),
         ("SVC006", "template.yaml is not UTF-8 text (byte 20): " + NOT_CHECKED)),
        (b"Resources:\n" + b"  # padding\n" * 250_000,
         ("SVC006", "template.yaml is larger than 2 MiB (3,000,011 bytes): " + NOT_CHECKED)),
        (b"", ("SVC002", "template cannot be parsed: template is empty")),
    ],
    ids=["binary", "latin-1", "huge", "empty"],
)
def test_unreadable_templates_are_findings(
    tmp_path: Path, data: bytes, expected: tuple[str, str]
) -> None:
    root = write(tmp_path / "svc", "template.yaml", data)
    result = lint_repo(root, Policy(select=("SVC002", "SVC006")), TEST_RULES)
    assert [(f.rule, f.file, f.line, f.message) for f in result.findings] == [
        (expected[0], "template.yaml", 0, expected[1])
    ]


def test_nesting_past_svc_limit_is_refused_at_the_level_that_crosses_it(tmp_path: Path) -> None:
    # 150 levels: past svc's limit (100), well within any YAML parser's own.
    root = write(tmp_path / "svc", "template.yaml", b"a: " + b"[" * 150 + b"]" * 150)
    assert only_svc002(root) == [
        ("template.yaml", 1, 104, "template cannot be parsed: document nests deeper than 100 levels")
    ]


def test_absurd_nesting_is_one_finding_on_line_1_and_fast(tmp_path: Path) -> None:
    # 5,000 levels may trip the YAML parser's own limit before svc's: whichever refuses it, the
    # result is one SVC002 finding on line 1, quickly (the parser's wording is not ours to pin).
    root = write(tmp_path / "svc", "template.yaml", b"a: " + b"[" * 5000 + b"]" * 5000)
    started = time.perf_counter()
    findings = only_svc002(root)
    assert time.perf_counter() - started < 1
    assert [(file, line) for file, line, _, _ in findings] == [("template.yaml", 1)]
    assert findings[0][3].startswith("template cannot be parsed: ")


def test_null_sections_and_odd_shapes_load(tmp_path: Path) -> None:
    text = b"Globals:\nParameters:\nResources:\n  A:\n  B: 3\n  C:\n    Type: [x]\n    Properties: nope\nOutputs:\n"
    root = write(tmp_path / "svc", "template.yaml", text)
    repo = load_repo(root)
    assert repo.template is not None and repo.template.error is None
    assert [(r.logical_id, r.type, dict(r.properties)) for r in repo.template.resources] == [("C", "", {})]
    assert only_svc002(root) == []


def test_json_template_with_tabs_falls_back_to_json(tmp_path: Path) -> None:
    root = write(tmp_path / "svc", "template.json", b'{\n\t"Resources": {\n\t\t"Q": {"Type": "AWS::SQS::Queue"}\n\t}\n}\n')
    repo = load_repo(root)
    assert repo.template is not None and repo.template.error is None
    assert [r.logical_id for r in repo.template.resources] == ["Q"]


def test_globals_merge_like_sam(tmp_path: Path) -> None:
    text = b"""\
Globals:
  Function:
    Runtime: python3.13
    Environment:
      Variables:
        A: global
        B: global
    Layers: [!Ref L1]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Environment:
        Variables:
          B: local
      Layers: [!Ref L2]
  Table:
    Type: AWS::DynamoDB::Table
"""
    repo = load_repo(write(tmp_path / "svc", "template.yaml", text))
    assert repo.template is not None
    fn, table = repo.template.resources
    assert fn.properties == {
        "Runtime": "nodejs22.x",
        "Environment": {"Variables": {"A": "global", "B": "local"}},
        "Layers": [{"Ref": "L1"}, {"Ref": "L2"}],
    }
    assert table.properties == {}


def test_symlinks_are_recorded_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("x = 1\n", encoding="utf-8")
    root = write(tmp_path / "svc", "template.yaml", b"Resources: {}\n")
    os.symlink(outside, root / "functions")
    os.symlink(outside / "secret.py", root / "linked.py")
    repo = load_repo(root)
    assert repo.listing.symlinks == (("functions", str(outside)), ("linked.py", str(outside / "secret.py")))
    assert repo.files == ("template.yaml",)
    assert repo.text("linked.py") is None


def test_a_symlinked_template_is_not_a_repo(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    real = write(tmp_path / "elsewhere", "template.yaml", b"Resources: {}\n")
    root = tmp_path / "svc"
    root.mkdir()
    os.symlink(real / "template.yaml", root / "template.yaml")
    result = lint_repo(root, Policy(), TEST_RULES, display_path="svc")
    assert result.error == "no template.yaml, template.yml or template.json at the root of svc"


def test_json_duplicate_keys_are_refused_like_yaml_ones(tmp_path: Path) -> None:
    text = b'{\n\t"Resources": {\n\t\t"A": {"Type": "AWS::SNS::Topic"},\n\t\t"A": {"Type": "AWS::KMS::Key"}\n\t}\n}\n'
    root = write(tmp_path / "svc", "template.json", text)
    assert only_svc002(root) == [
        ("template.json", 4, 3, "template cannot be parsed: duplicate key 'A' (first defined on line 3)")
    ]
    # JSON that only the json module reads is held to the same rule.
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads_json_fallback

    with pytest.raises(TemplateSyntaxError, match="duplicate key 'A'"):
        loads_json_fallback('{"A": 1, "A": 2}')


def test_a_symlinked_repo_policy_is_refused_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    root = write(tmp_path / "svc", "template.yaml", b"Resources: {}\n")
    (root / ".svc").mkdir()
    os.symlink(secret, root / ".svc" / "policy.yaml")
    result = lint_repo(root, Policy(select=("SVC",)), TEST_RULES)
    assert [(f.rule, f.message) for f in result.findings] == [(
        "SVC005",
        ".svc/policy.yaml is a symbolic link: svc does not follow links; make it a regular file",
    )]


def test_a_policy_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("abcde", "bcdef")]
    bomb = ("\n".join(levels) + "\nselect: [*f]\n").encode()
    root = write(tmp_path / "svc", "template.yaml", b"Resources: {}\n")
    write(root, ".svc/policy.yaml", bomb)
    started = time.perf_counter()
    result = lint_repo(root, Policy(select=("SVC",)), TEST_RULES)
    assert time.perf_counter() - started < 2
    assert [f.rule for f in result.findings] == ["SVC005"]
    assert "alias bomb" in result.findings[0].message


def test_a_repo_too_large_to_read_whole_is_reported_not_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from svc_serverless.linter import listing

    monkeypatch.setattr(listing, "MAX_FILES", 3)
    monkeypatch.setattr("svc_serverless.linter.engine.MAX_FILES", 3)
    root = write(tmp_path / "svc", "template.yaml", b"Resources: {}\n")
    for index in range(6):
        write(root, f"vendor/f{index}.txt", b"x")
    result = lint_repo(root, Policy(select=("SVC",)), TEST_RULES, display_path="svc")
    assert result.error == "svc has more than 3 files: svc read only part of it (vendored dependencies or build output?)"


def test_a_multi_document_manifest_keeps_every_bound_over_the_whole_file(tmp_path: Path) -> None:
    from svc_serverless.linter.cfnyaml import MAX_NODES

    # Each document is under the bound alone; together they are over it.
    per_document = MAX_NODES // 4
    document = "[" + ", ".join(["x"] * (per_document - 1)) + "]\n"
    root = write(tmp_path / "svc", "template.yaml", b"Resources: {}\n")
    write(root, "catalog-info.yaml", ("---\n".join([document] * 5)).encode())
    repo = load_repo(root)
    assert repo.manifest is None
    assert repo.manifest_error is not None
    assert (repo.manifest_error.message, repo.manifest_error.line) == (
        f"documents expand to more than {MAX_NODES} values", 9)


def test_the_service_is_the_component_document_wherever_it_is(tmp_path: Path) -> None:
    root = write(tmp_path / "folder", "template.yaml", b"Resources: {}\n")
    write(root, "catalog-info.yaml", (
        b"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: orders-api}\n---\n"
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: orders}\n"))
    repo = load_repo(root)
    assert (repo.service, repo.manifest["kind"], repo.manifest.line) == ("orders", "Component", 5)
    assert [(e["kind"], e.line) for e in repo.manifest_entities] == [("API", 1)]
