"""`svc lint --output-format FORMAT:FILE`: several reports from one run, each exactly what a run
in that format alone writes, and a one-line usage error for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from svc_serverless.cli import main

IMPORT = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue other-Queue\n"


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "imports"
    root.mkdir()
    (root / "template.yaml").write_text(IMPORT, encoding="utf-8")
    return root


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", "--no-cache", "--select", "SN001", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_run_writes_every_format_exactly_as_a_run_of_that_format_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(repo(tmp_path))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, stdout, err = lint(
        capsys, root, "--format", "github",
        "--output-format", f"sarif:{out_dir / 'svc.sarif'}",
        "--output-format", f"markdown:{out_dir / 'summary.md'}",
        "--output-format", f"json:{out_dir / 'report.json'}",
    )
    assert (code, err) == (1, "")
    assert stdout == lint(capsys, root, "--format", "github")[1]
    assert "::error file=" in stdout and "SN001" in stdout
    for fmt, name in (("sarif", "svc.sarif"), ("markdown", "summary.md"), ("json", "report.json")):
        alone = tmp_path / f"alone-{name}"
        assert lint(capsys, root, "--format", fmt, "--output", str(alone)) == (1, "", "")
        assert (out_dir / name).read_text(encoding="utf-8") == alone.read_text(encoding="utf-8")
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.json", "summary.md", "svc.sarif"]


def test_output_and_output_format_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(repo(tmp_path))
    text, sarif = tmp_path / "report.txt", tmp_path / "svc.sarif"
    code, stdout, _ = lint(capsys, root, "-o", str(text), "--output-format", f"sarif:{sarif}")
    assert (code, stdout) == (1, "")
    assert "SN001" in text.read_text(encoding="utf-8")
    assert '"ruleId": "SN001"' in sarif.read_text(encoding="utf-8")


FORMATS = "text, concise, json, sarif, junit, github, markdown, html"


def bad_value(value: str) -> str:
    return (f"svc: error: --output-format {value!r} is not FORMAT:FILE with FORMAT one of "
            f"{FORMATS} (e.g. sarif:svc.sarif)\n")


@pytest.mark.parametrize("value", ["sarif", "xml:out.xml", "sarif:", ":out.sarif"])
def test_a_bad_value_is_a_one_line_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    root = str(repo(tmp_path))
    assert lint(capsys, root, "--output-format", value) == (2, "", bad_value(value))
    assert bad_value("sarif") == (
        "svc: error: --output-format 'sarif' is not FORMAT:FILE with FORMAT one of text, concise, "
        "json, sarif, junit, github, markdown, html (e.g. sarif:svc.sarif)\n")


def test_one_file_for_two_reports_is_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(repo(tmp_path))
    monkeypatch.chdir(tmp_path)
    code, out, err = lint(capsys, root, "--output-format", "sarif:r.out",
                          "--output-format", "json:./r.out")
    assert (code, out) == (2, "")
    assert err == ("svc: error: --output-format 'json:./r.out': ./r.out is already written by "
                   "another option; give each report its own file\n")
    code, _, err = lint(capsys, root, "-o", "r.out", "--output-format", f"json:{tmp_path / 'r.out'}")
    assert code == 2 and "is already written by another option" in err
    assert not (tmp_path / "r.out").exists()


def test_an_unwritable_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(repo(tmp_path))
    missing = tmp_path / "no-such-folder" / "svc.sarif"
    code, out, err = lint(capsys, root, "--output-format", f"sarif:{missing}")
    assert (code, out) == (2, "")
    assert err == f"svc: error: cannot write report to {missing}: No such file or directory\n"
