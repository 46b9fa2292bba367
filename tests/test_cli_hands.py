"""`svc lint` as people type it: found from a subfolder, a template as PATH, clickable paths,
quiet and statistics output, colour switches, suggestions for typos, --jobs, a quiet stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from svc_serverless.cli import main

IMPORT = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue other-Queue\n"
SN001 = ("Fn::ImportValue 'other-Queue' couples this stack to another stack's export: consume "
         "that service's API or events instead")


def repo(parent: Path, name: str, template: str = IMPORT) -> Path:
    root = parent / name
    root.mkdir(parents=True)
    (root / "template.yaml").write_text(template, encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_lint_in_a_subfolder_finds_the_repo_upward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, "billing")
    (root / ".git").mkdir()
    sub = root / "functions" / "router"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    code, out, err = run(capsys, "--select", "SN001")
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == [
        "billing  ../..",
        "  ../../template.yaml:5:18  error  SN001  no-import-value  " + SN001,
    ]


def test_the_upward_search_stops_at_a_git_boundary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outer = repo(tmp_path, "outer")
    inner = outer / "vendor" / "tool"
    (inner / ".git").mkdir(parents=True)
    (inner / "src").mkdir()
    monkeypatch.chdir(inner / "src")
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err == ("svc: error: no service repo in . or the folders above it: a repo has "
                   "template.yaml at its root; run svc lint inside one, or give its path "
                   "(svc lint PATH)\n")


def test_no_path_in_a_folder_of_repos_lints_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, "a", "Resources: {}\n")
    repo(tmp_path, "b", "Resources: {}\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--select", "SVC")
    assert code == 0
    assert out.splitlines()[-1] == "0 errors, 0 warnings, 0 info in 2 repos"


def test_a_template_file_as_path_lints_its_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, "billing")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "billing/template.yaml", "--select", "SN001")
    assert code == 1
    assert out.splitlines()[1].startswith("  billing/template.yaml:5:18  error  SN001  ")


def test_a_file_that_is_not_a_repo_template_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, "billing")
    (root / "templates").mkdir()
    (root / "templates" / "api.yaml").write_text("Resources: {}\n", encoding="utf-8")
    (root / "README.md").write_text("# billing\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for path in ("billing/templates/api.yaml", "billing/README.md"):
        code, out, err = run(capsys, path)
        assert (code, out) == (2, "")
        assert err == (f"svc: error: {path} is not a folder: svc lints a service repo (a folder "
                       "with template.yaml at its root) or a folder of repos; give the repo's "
                       "folder\n")


def test_concise_format_is_one_line_per_finding_from_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path / "org", "billing")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, str(tmp_path / "org"), "--select", "SN001", "-f", "concise")
    assert (code, err) == (1, "")
    assert out == (f"org/billing/template.yaml:5:18: SN001 [error] {SN001}\n"
                   "1 error, 0 warnings, 0 info in 1 repo\n")


def test_quiet_prints_only_the_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, "billing")
    repo(tmp_path, "clean", "Resources: {}\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "billing", "clean", "--select", "SN001", "--quiet")
    assert (code, err) == (1, "")
    assert out == f"billing\n  billing/template.yaml:5:18  error  SN001  no-import-value  {SN001}\n"
    assert run(capsys, "clean", "--select", "SN001", "-q") == (0, "", "")
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "billing", "-q", "--write-baseline", str(baseline)) == (0, "", "")


def test_statistics_counts_findings_per_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, "a")
    repo(tmp_path, "b")
    (tmp_path / "b" / "functions" / "Old_Name").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "a", "b", "--select", "SN001", "--select", "LAY008", "--statistics")
    assert code == 1
    assert out == ("2  SN001   error    no-import-value\n"
                   "1  LAY008  warning  kebab-case-folders\n"
                   "2 errors, 1 warning, 0 info in 2 repos\n")
    code, out, _ = run(capsys, "a", "--select", "SN001", "--statistics", "-q", "-f", "concise")
    assert (code, out) == (1, "1  SN001  error    no-import-value\n")
    code, out, err = run(capsys, "a", "--statistics", "-f", "json")
    assert (code, out) == (2, "")
    assert err == ("svc: error: --statistics prints a table of counts, not a json report: use it "
                   "with --format text or concise (see `svc lint --help`)\n")


@pytest.mark.parametrize(
    ("flag", "env", "coloured"),
    [
        ([], {}, False),  # auto, and captured stdout is not a terminal
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "0"}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins over auto
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # --color wins over both
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["--color", "auto"], {"FORCE_COLOR": "1"}, True),
    ],
)
def test_colour_switches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    flag: list[str], env: dict[str, str], coloured: bool,
) -> None:
    repo(tmp_path, "billing")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for fmt in ("text", "concise"):
        code, out, _ = run(capsys, "billing", "--select", "SN001", "-f", fmt, *flag)
        assert code == 1
        assert ("\x1b[" in out) is coloured
    # A report written to a file is coloured only on request.
    report = tmp_path / "report.txt"
    monkeypatch.setenv("FORCE_COLOR", "1")
    run(capsys, "billing", "--select", "SN001", "-o", str(report))
    assert "\x1b[" not in report.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lnt"], ("argument COMMAND: invalid choice: 'lnt' (choose from new, update, check, adopt, add, lint, rules, facts); "
                  "did you mean lint? (see `svc --help`)")),
        (["lint", "--selct", "SN"], ("unrecognized arguments: --selct; did you mean --select? "
                                    "(see `svc lint --help`)")),
        (["lint", "--zzz"], "unrecognized arguments: --zzz (see `svc lint --help`)"),
        (["rules", "--confg=p.yaml"], ("unrecognized arguments: --confg=p.yaml; did you mean "
                                      "--config? (see `svc rules --help`)")),
        (["lint", "--format", "jsn"], ("argument --format/-f: invalid choice: 'jsn' (choose from "
                                      "text, concise, json, sarif, junit, github, markdown, html); "
                                      "did you mean json? (see `svc lint --help`)")),
        (["lint", "--select", "SN0001"], ("--select 'SN0001' matches no rule: give a code or prefix "
                                         "such as SN001, SN or KMS (`svc rules` lists them); did "
                                         "you mean SN001?")),
        (["lint", "--ignore", "KSM"], ("--ignore 'KSM' matches no rule: give a code or prefix such "
                                      "as SN001, SN or KMS (`svc rules` lists them); did you mean "
                                      "KMS?")),
        (["lint", "--select", "QQ"], ("--select 'QQ' matches no rule: give a code or prefix such as "
                                     "SN001, SN or KMS (`svc rules` lists them)")),
        (["lint", "-j", "-3"], ("argument --jobs/-j: '-3' is not a number of worker processes: give "
                               "0 (one per CPU) or a positive whole number (see `svc lint --help`)")),
        (["lint", "--jobs", "two"], ("argument --jobs/-j: 'two' is not a number of worker "
                                    "processes: give 0 (one per CPU) or a positive whole number "
                                    "(see `svc lint --help`)")),
    ],
)
def test_typos_get_a_suggestion_and_the_subcommands_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], message: str,
) -> None:
    repo(tmp_path, "billing")
    monkeypatch.chdir(tmp_path / "billing")
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"svc: error: {message}\n")


def test_a_mistyped_rule_page_suggests_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "SN0001"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("svc: error: no rule 'SN0001': run `svc rules` to list them (SVC001, ")
    assert err.endswith(", ORG008); did you mean SN001?\n")


@pytest.mark.parametrize(("value", "workers"), [("0", 2), ("1", 1), ("3", 3)])
def test_jobs_takes_zero_or_a_positive_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    value: str, workers: int,
) -> None:
    from svc_serverless.linter import run as lint_run

    seen: list[int] = []
    real = lint_run.run_jobs
    monkeypatch.setattr(lint_run.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(lint_run, "run_jobs", lambda jobs, n: seen.append(n) or real(jobs, 1))
    for name in ("a", "b", "c", "d"):
        repo(tmp_path, name, "Resources: {}\n")
    assert run(capsys, str(tmp_path), "--select", "SVC", "-j", value)[0] == 0
    assert seen == [workers]


def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The root logger as in a fresh `svc` process: no handlers.

    Called in the test body: pytest adds its capturing handler after fixtures are set up.
    """
    import logging

    monkeypatch.setattr(logging.root, "handlers", [])


def test_git_says_nothing_on_stderr_during_a_repos_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_sources import make_bare

    fresh_logging(monkeypatch)
    url = make_bare(tmp_path, "billing", {"template.yaml": "Resources: {}\n"})
    monkeypatch.chdir(tmp_path)
    lint = ["lint", "--repos", "repos.txt", "--cache-dir", "cache", "--select", "SVC", "-q"]
    # Later runs fetch into the cached clone, where GitPython logs a warning for each line of
    # git's output it cannot parse ("Git informed while fetching: * branch HEAD -> FETCH_HEAD").
    for line in (url, url, f"{url} main", f"{url} main"):
        (tmp_path / "repos.txt").write_text(f"{line}\n", encoding="utf-8")
        assert main(lint) == 0
        assert capsys.readouterr() == ("", "")


def test_svc_new_says_nothing_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_logging(monkeypatch)
    assert main(["new", "billing", "--owner", "team-billing", "-o", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
