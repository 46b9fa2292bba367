"""Every format, end to end, over repos whose names, files and facts are attacks on the reader.

An organisation on disk whose repo folder, service name, event detail-type, folder and symlink
names carry GitHub and Azure workflow commands (`::add-mask::`, `##[error]`, `##vso[...]`), an
ANSI escape, a line break and a bidi override, plus `--repos` URLs with credentials (one clones,
two fail, one of them with a git error that quotes the URL). Whatever the format, the output
must not command the CI runner, reach the terminal raw, or show a credential.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import git
import jsonschema
import pytest

from svc_serverless.cli import main
from svc_serverless.linter.facts import Facts
from svc_serverless.linter.report import render
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report.test_graph import event

ATTACK = "##[error]a ##vso[task.setvariable]b \x1b[31mred\u202eevil"
FOLDER = f"::add-mask::fold {ATTACK}\n::add-mask::line2"
SERVICE = f"::add-mask::svc {ATTACK}"
DETAIL = f"##vso[task.setvariable]dt\n::add-mask::dt {ATTACK}"
FUNCTION = f"::add-mask::fn {ATTACK}"
LINK = "::add-mask::link\n##vso[task.setvariable]l \x1b[31m\u202e"
SPELLED = "##\\[error]a ##vso\\[task.setvariable]b \\x1b[31mred\\u202eevil"  # ATTACK, as text shows it
TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ01"
SECRETS = ("ghp_", "hunter2", "s3cr3tpass")
TEMPLATE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
FORMATS = ("text", "github", "junit", "markdown", "html", "json", "sarif")

# A line the GitHub runner would read as a command (it trims leading whitespace first).
GITHUB_COMMAND = re.compile(r"^\s*::")
SVC_ANNOTATION = re.compile(r"::(?:error|warning|notice) [^\r\n]*::")
# GitHub's older commands and Azure's, anywhere in a line (Azure ignores case).
ANYWHERE_COMMAND = re.compile(r"##(?:vso)?\[", re.IGNORECASE)
# Anything that moves the cursor, recolours, or reorders text (bidi): never raw in any output.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "tests" / "vendor" / "sarif-schema-2.1.0.json"


def _manifest(service: str, events: dict[str, Any]) -> str:
    # JSON is YAML, and its escapes carry the control characters into the parsed values.
    return json.dumps({"metadata": {"name": service}, "spec": {"svc": {"events": events}}})


def _bare_repo(root: Path) -> Path:
    work = root / "work"
    work.mkdir(parents=True)
    (work / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    repo = git.Repo.init(work, initial_branch="main")
    repo.index.add(["template.yaml"])
    actor = git.Actor("t", "t@example.com")
    repo.index.commit("init", author=actor, committer=actor)
    bare = root / "billing.git"
    git.Repo.clone_from(str(work), str(bare), bare=True)
    return bare


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    hostile = root / "org" / FOLDER
    (hostile / "functions" / FUNCTION).mkdir(parents=True)
    (hostile / "functions" / FUNCTION / "app.py").write_text("", encoding="utf-8")
    (hostile / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    consumes = {"consumes": [{"source": "orders", "detailType": DETAIL}]}
    (hostile / "catalog-info.yaml").write_text(_manifest(SERVICE, consumes), encoding="utf-8")
    (hostile / LINK).symlink_to("/etc/passwd")
    orders = root / "org" / "orders"
    orders.mkdir()
    (orders / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    publishes = {"publishes": [{"source": "orders", "detailType": "OrderPlaced"}]}
    (orders / "catalog-info.yaml").write_text(_manifest("orders", publishes), encoding="utf-8")
    bare = _bare_repo(root / "remote")
    (root / "repos.txt").write_text(
        f"file://x-access-token:{TOKEN}@{bare}\n"  # clones: git ignores the user on file://
        # Another repo (a namesake would be named by its URL): fails, and git's error quotes it.
        f"{(bare.parent / 'ledger.git').as_uri()}?token=s3cr3tpass\n"
        "file://user:hunter2@/nowhere/shipping.git\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def outputs(workspace: Path) -> dict[str, tuple[int, str, str]]:
    """Each format's exit code, report and stderr, linted from inside the workspace."""
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workspace)
        for fmt in FORMATS:
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = main(["lint", "org", "--repos", "repos.txt", "--cache-dir", "cache",
                             "--no-cache", "-f", fmt, "-o", f"report.{fmt}"])
            report = (workspace / f"report.{fmt}").read_text(encoding="utf-8")
            runs[fmt] = (code, report, stderr.getvalue())
    return runs


def _lines(text: str) -> list[str]:
    """Lines as the runners split them: at CR, LF and CRLF."""
    return re.split(r"\r\n|\r|\n", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_from_a_repo_commands_the_runner(
    fmt: str, outputs: dict[str, tuple[int, str, str]]
) -> None:
    code, report, stderr = outputs[fmt]
    assert code == 1
    commands = [line for line in _lines(report) if GITHUB_COMMAND.match(line)]
    if fmt == "github":
        assert commands and all(SVC_ANNOTATION.match(line) for line in commands)
        assert len(commands) == len(_lines(report)) - 2  # all but the summary and the last ""
    else:
        assert commands == []
    assert ANYWHERE_COMMAND.search(report) is None
    assert ANYWHERE_COMMAND.search(stderr) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_control_character_reaches_the_output_raw(
    fmt: str, outputs: dict[str, tuple[int, str, str]]
) -> None:
    _, report, stderr = outputs[fmt]
    assert RAW_CONTROL.search(report) is None
    assert RAW_CONTROL.search(stderr) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_credential_reaches_the_output(
    fmt: str, outputs: dict[str, tuple[int, str, str]]
) -> None:
    _, report, stderr = outputs[fmt]
    assert [s for s in SECRETS if s in report or s in stderr] == []


def test_text_lines(workspace: Path, outputs: dict[str, tuple[int, str, str]]) -> None:
    lines = outputs["text"][1].splitlines()
    bare = workspace / "remote" / "billing.git"
    ledger = workspace / "remote" / "ledger.git"
    folder = f"::add-mask::fold {SPELLED} ::add-mask::line2"
    link = "::add-mask::link ##vso\\[task.setvariable]l \\x1b[31m\\u202e"
    assert [line for line in lines if not line.startswith("  ") and line] == [
        f":\\{folder[1:]}  org/{folder}",
        "orders  org/orders",
        f"billing  file://***@{bare}",
        f"ledger  {ledger.as_uri()}?token=***",
        "shipping  file://***@/nowhere/shipping.git",
        "35 errors, 6 warnings, 0 info in 5 repos (2 repos could not be read)",
    ]
    assert (f"  org/{folder}/{link}  error  SN010  no-symlink-out-of-repo  symlink {link} -> /etc/passwd "
            "is an absolute path: builds that follow it ship files this repo does not own; copy "
            "them into the repo or depend on a published package") in lines
    assert (f"  org/{folder}/catalog-info.yaml:1:144  error  ORG003  consumed-event-has-producer  consumes "
            f"orders/##vso\\[task.setvariable]dt ::add-mask::dt {SPELLED}, which no service in the "
            "organisation publishes: check the source and detail-type against the producer's "
            "catalog-info.yaml") in lines
    assert (f"  org/{folder}/functions/::add-mask::fn {SPELLED}  warning  LAY002  unused-folder  folder "
            f"functions/::add-mask::fn {SPELLED}/ is not used by any function of template.yaml: "
            "delete it, or point a function's CodeUri at it") in lines
    assert [line for line in lines if "could not be read:" in line] == [
        (f"  could not be read: cannot clone {ledger.as_uri()}?token=***: fatal: '{ledger}?token=***' "
         "does not appear to be a git repository"),
        ("  could not be read: cannot clone file://***@/nowhere/shipping.git: fatal: "
         "'/nowhere/shipping.git' does not appear to be a git repository"),
    ]


def test_github_lines(workspace: Path, outputs: dict[str, tuple[int, str, str]]) -> None:
    lines = outputs["github"][1].splitlines()
    ledger = workspace / "remote" / "ledger.git"
    folder = ("%3A%3Aadd-mask%3A%3Afold ##\\[error]a ##vso\\[task.setvariable]b "
              "\\x1b[31mred\\u202eevil%0A%3A%3Aadd-mask%3A%3Aline2")
    link = "%3A%3Aadd-mask%3A%3Alink%0A##vso\\[task.setvariable]l \\x1b[31m\\u202e"
    assert (f"::error file=org/{folder}/{link},title=SN010 no-symlink-out-of-repo::symlink "
            "::add-mask::link%0A##vso\\[task.setvariable]l \\x1b[31m\\u202e -> /etc/passwd is an "
            "absolute path: builds that follow it ship files this repo does not own; copy them "
            "into the repo or depend on a published package") in lines
    # The clone is placed by its name, not by its URL.
    assert ("::error file=billing/template.yaml,line=1,col=1,title=KMS001 own-key-defined::this "
            "service has no KMS key of its own: add ServiceKey (AWS::KMS::Key with "
            "EnableKeyRotation: true) and encrypt the service's data stores with it") in lines
    assert lines[-3:] == [
        (f"::error title=repo could not be read::ledger: cannot clone {ledger.as_uri()}?token=***: "
         f"fatal: '{ledger}?token=***' does not appear to be a git repository"),
        ("::error title=repo could not be read::shipping: cannot clone "
         "file://***@/nowhere/shipping.git: fatal: '/nowhere/shipping.git' does not appear to be "
         "a git repository"),
        "svc lint: 35 errors, 6 warnings, 0 info in 5 repos (2 repos could not be read)",
    ]


def test_junit_parses_back_to_the_repo_text_with_controls_spelled(
    outputs: dict[str, tuple[int, str, str]]
) -> None:
    report = outputs["junit"][1]
    root = ET.fromstring(report)
    spelled = "##[error]a ##vso[task.setvariable]b \\x1b[31mred\\u202eevil"
    assert [suite.get("name") for suite in root] == [
        f"::add-mask::fold {spelled}\n::add-mask::line2", "orders", "billing", "ledger", "shipping",
    ]
    link = ET.fromstring(report).find("testsuite/testcase[2]/failure")
    assert link is not None and link.text == (
        "error: SN010 no-symlink-out-of-repo\n"
        f"org/::add-mask::fold {spelled}\n::add-mask::line2/"
        "::add-mask::link\n##vso[task.setvariable]l \\x1b[31m\\u202e\n"
        "symlink ::add-mask::link\n##vso[task.setvariable]l \\x1b[31m\\u202e -> /etc/passwd is "
        "an absolute path: builds that follow it ship files this repo does not own; copy them "
        "into the repo or depend on a published package"
    )
    # In the file itself, the lines of that text that would be commands use references.
    raw = "##&#91;error]a ##vso&#91;task.setvariable]b \\x1b[31mred\\u202eevil"
    start = report.splitlines().index(":&#58;add-mask::line2/::add-mask::link") - 1
    assert report.splitlines()[start:start + 5] == [
        f"org/::add-mask::fold {raw}",
        ":&#58;add-mask::line2/::add-mask::link",
        "##vso&#91;task.setvariable]l \\x1b[31m\\u202e",
        "symlink ::add-mask::link",
        ("##vso&#91;task.setvariable]l \\x1b[31m\\u202e -&gt; /etc/passwd is an absolute path: "
         "builds that follow it ship files this repo does not own; copy them into the repo or "
         "depend on a published package</failure>"),
    ]


def test_markdown_lines(outputs: dict[str, tuple[int, str, str]]) -> None:
    lines = outputs["markdown"][1].splitlines()
    escaped = "\\#\\#\\[error\\]a \\#\\#vso\\[task.setvariable\\]b \\\\x1b\\[31mred\\\\u202eevil"
    assert lines[8:11] == [
        f"### ::add-mask::fold {escaped}<br>::add-mask::line2",
        "",
        f"org/::add-mask::fold {escaped}<br>::add-mask::line2",
    ]
    sn010 = [line for line in lines if "[SN010]" in line]
    assert sn010 == [
        ("| error | [SN010](https://github.com/svc-dev/svc/blob/main/docs/rules.md#sn010) "
         "no-symlink-out-of-repo | `::add-mask::link ##vso\\[task.setvariable]l \\x1b[31m\\u202e` "
         "| symlink ::add-mask::link<br>\\#\\#vso\\[task.setvariable\\]l \\\\x1b\\[31m\\\\u202e "
         "-&gt; /etc/passwd is an absolute path: builds that follow it ship files this repo does "
         "not own; copy them into the repo or depend on a published package |"),
    ]


def test_html_lines(outputs: dict[str, tuple[int, str, str]]) -> None:
    lines = outputs["html"][1].splitlines()
    raw = "##&#91;error]a ##vso&#91;task.setvariable]b \\x1b[31mred\\u202eevil"
    start = lines.index(f'<h3 id="repo-0">::add-mask::fold {raw}')
    assert lines[start:start + 3] == [
        f'<h3 id="repo-0">::add-mask::fold {raw}',
        f':&#58;add-mask::line2 <span class="path">org/::add-mask::fold {raw}',
        ":&#58;add-mask::line2</span></h3>",
    ]


def test_json_parses_back_to_the_exact_repo_text(
    workspace: Path, outputs: dict[str, tuple[int, str, str]]
) -> None:
    report = json.loads(outputs["json"][1])
    bare = workspace / "remote" / "billing.git"
    ledger = workspace / "remote" / "ledger.git"
    assert [(r["name"], r["path"]) for r in report["repos"]] == [
        (FOLDER, f"org/{FOLDER}"),
        ("orders", "org/orders"),
        ("billing", f"file://***@{bare}"),
        ("ledger", f"{ledger.as_uri()}?token=***"),
        ("shipping", "file://***@/nowhere/shipping.git"),
    ]
    files = {f["file"] for f in report["findings"] if f["repo"] == FOLDER}
    assert {LINK, f"functions/{FUNCTION}"} <= files
    assert ('"name": "::add-mask::fold ##\\u005berror]a ##vso\\u005btask.setvariable]b '
            '\\u001b[31mred\\u202eevil\\n::add-mask::line2"') in outputs["json"][1]


def test_sarif_is_valid_and_parses_back_to_the_exact_messages(
    outputs: dict[str, tuple[int, str, str]]
) -> None:
    log = json.loads(outputs["sarif"][1])
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    messages = {r["message"]["text"] for r in log["runs"][0]["results"]}
    assert (f"symlink {LINK} -> /etc/passwd is an absolute path: builds that follow it ship files "
            "this repo does not own; copy them into the repo or depend on a published package"
            ) in messages


def test_the_service_graph_draws_hostile_names_as_text() -> None:
    """The SVG (labels, titles, data- attributes) and the Mermaid chart, which a repo's names
    reach only through facts."""
    producer = Facts(SERVICE, folder="p", owner=f"team {ATTACK}",
                     publishes=(event("p", DETAIL),))
    consumer = Facts("shipping", folder="shipping", consumes=(event("p", DETAIL),))
    repos = tuple(RepoResult(f.folder, f.folder, facts=f) for f in (producer, consumer))
    result = LintResult(repos=repos, findings=())
    for fmt in ("html", "markdown"):
        report = render(fmt, result)
        assert [line for line in _lines(report) if GITHUB_COMMAND.match(line)] == []
        assert ANYWHERE_COMMAND.search(report) is None
        assert RAW_CONTROL.search(report) is None
    page = render("html", result)
    svg = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert svg is not None
    spelled = "##[error]a ##vso[task.setvariable]b \\x1b[31mred\\u202eevil"
    nodes = {g.get("data-service") for g in ET.fromstring(svg.group()).iter("g")} - {None}
    assert nodes == {f"::add-mask::svc {spelled}", "shipping"}
    marked = ("#35;#35;#91;error#93;a #35;#35;vso#91;task.setvariable#93;b "
              "#92;x1b#91;31mred#92;u202eevil")
    assert render("markdown", result).splitlines()[12:15] == [
        f'  s0["::add-mask::svc {marked}"]',
        '  s1["shipping"]',
        f'  s0 -->|"p/#35;#35;vso#91;task.setvariable#93;dt ::add-mask::dt {marked}"| s1',
    ]
