"""A repo is identified by its place in the run, never by its folder name alone.

`svc lint a/billing b/billing` is two repos in every report format, and organisation findings
land on the right one of them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from svc_serverless.cli import main

CLEAN = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Tupe: AWS::SNS::Topic\n"
DUPLICATE = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Type: AWS::SNS::Topic\n"
MESSAGE = "template cannot be parsed: duplicate key 'Type' (first defined on line 3)"


def repo(root: Path, template: str) -> Path:
    root.mkdir(parents=True)
    (root / "template.yaml").write_text(template, encoding="utf-8")
    return root


@pytest.fixture
def namesakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """a/billing is clean, b/billing has one SVC002 finding; the run's folder is tmp_path."""
    repo(tmp_path / "a" / "billing", CLEAN)
    repo(tmp_path / "b" / "billing", DUPLICATE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", "a/billing", "b/billing", "--select", "SVC", "-j", "1", *args])
    return code, capsys.readouterr().out


def test_text_reports_the_finding_at_its_own_repo(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = lint(capsys)
    assert code == 1
    assert out.splitlines() == [
        "b/billing",
        f"  b/billing/template.yaml:4:5  error  SVC002  template-unparseable  {MESSAGE}",
        "",
        "1 repo clean",
        "1 error, 0 warnings, 0 info in 2 repos",
    ]


def test_json_names_each_repo_by_its_place(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = lint(capsys, "-f", "json")
    report = json.loads(out)
    assert code == 1
    assert [(f["repo"], f["rule"], f["file"]) for f in report["findings"]] == [
        ("b/billing", "SVC002", "template.yaml"),
    ]
    assert [(r["name"], r["path"], r["findings"]) for r in report["repos"]] == [
        ("a/billing", "a/billing", 0), ("b/billing", "b/billing", 1),
    ]


def test_sarif_places_the_finding_in_its_own_repo(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = lint(capsys, "-f", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [
        "b/billing/template.yaml",
    ]


def test_junit_has_one_suite_per_repo(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = lint(capsys, "-f", "junit")
    suites = ET.fromstring(out)
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in suites] == [
        ("a/billing", "1", "0"), ("b/billing", "1", "1"),
    ]
    failing = suites[1][0]
    assert (failing.get("classname"), failing.get("file")) == ("b/billing", "b/billing/template.yaml")


def test_github_annotates_the_right_file(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = lint(capsys, "-f", "github")
    assert out.splitlines()[0].startswith(
        "::error file=b/billing/template.yaml,line=4,col=5,title=SVC002 template-unparseable::"
    )


def test_markdown_lists_the_finding_under_its_own_repo(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = lint(capsys, "-f", "markdown")
    assert "### b/billing" in out.splitlines()
    assert "### a/billing" not in out.splitlines()


def test_html_matrix_counts_each_repo_apart(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = lint(capsys, "-f", "html")
    assert out.count('<tr data-repo="a/billing">') == 1
    assert out.count('<tr data-repo="b/billing">') == 1
    assert '<tr data-repo="billing">' not in out


def test_a_unique_folder_name_stays_the_name(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(namesakes / "orders", DUPLICATE)
    code = main(["lint", "a/billing", "b/billing", "orders", "--select", "SVC", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["name"] for r in report["repos"]] == ["a/billing", "b/billing", "orders"]


def test_a_repo_named_twice_is_linted_once(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "b", "b/billing", "./b/billing", "--select", "SVC", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(r["name"], r["path"]) for r in report["repos"]] == [("billing", "b/billing")]
    assert len(report["findings"]) == 1


ORG_MANIFEST = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: billing}
spec: {type: service, owner: team-a, lifecycle: production}
"""


def test_organisation_findings_land_on_each_namesake(namesakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for side in ("a", "b"):
        (namesakes / side / "billing" / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
        (namesakes / side / "billing" / "catalog-info.yaml").write_text(ORG_MANIFEST, encoding="utf-8")
    code = main(["lint", "a/billing", "b/billing", "--select", "ORG001", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted((f["repo"], f["rule"], f["file"]) for f in report["findings"]) == [
        ("a/billing", "ORG001", "catalog-info.yaml"), ("b/billing", "ORG001", "catalog-info.yaml"),
    ]


@pytest.mark.parametrize(
    ("path", "place"),
    [
        ("https://ci:s3cret@github.com/acme/billing.git@main", "https://github.com/acme/billing.git@main"),
        ("ssh://git@github.com/acme/billing.git", "ssh://github.com/acme/billing.git"),
        ("git@github.com:acme/billing.git", "git@github.com:acme/billing.git"),
        ("services/billing", "services/billing"),
    ],
)
def test_a_repos_place_never_holds_url_credentials(path: str, place: str) -> None:
    from svc_serverless.linter.discover import repo_place

    assert repo_place(path) == place
