"""The engine's findings are not optional: SVC rules always run at error, and every failure
while svc processes a repo is a finding on that repo, never a silent pass or a missing repo."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from svc_serverless.cli import main
from svc_serverless.linter import engine
from svc_serverless.linter import facts as facts_module
from svc_serverless.linter.baseline import Baseline, apply_baseline
from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import decode_json, events, published, values
from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Finding
from svc_serverless.rules.engine import RULES as ENGINE_RULES

DUPLICATE = "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Type: AWS::SNS::Topic\n"
UNPARSEABLE = ("SVC002", "template.yaml", 4,
               "template cannot be parsed: duplicate key 'Type' (first defined on line 3)")
IMPORT = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue other-Queue\n"
IMPORTS = ("SN001", "template.yaml", 5, ("Fn::ImportValue 'other-Queue' couples this stack to "
           "another stack's export: consume that service's API or events instead"))
DEEP = "[" * 100_000
RULE = "  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: '{pattern}'\n"
HOSTILE = "Resources:\n" + RULE.format(pattern=DEEP)
TOO_DEEP = ("Rule's EventPattern cannot be read: it nests deeper than 100 levels; svc cannot tell "
            "which events this rule consumes: give the pattern as valid JSON, or as a YAML mapping")
MANIFEST = "metadata:\n  name: billing\nspec:\n  svc:\n    events:\n      publishes: []\n"
ENGINE_REFUSED = ("would {verb} an engine rule (SVC*), and those always run at error so that a "
                  "repo svc could not fully check fails the gate: {way_out}")
NARROWER = "use codes that do not cover SVC (e.g. SN rather than S)"

Row = tuple[str, str, int, str]


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[Row], str]:
    """Exit code, unsuppressed (rule, file, line, message) rows, stderr, of `svc lint -f json`."""
    code = main(["lint", "--no-cache", "-f", "json", *args])
    out, err = capsys.readouterr()
    report = json.loads(out) if out else {"findings": []}
    rows = [(f["rule"], f["file"], f["line"], f["message"])
            for f in report["findings"] if not f["suppressed"]]
    return code, rows, err


def refused(source: str, setting: str, verb: str = "turn off", way_out: str = "remove it") -> str:
    return f"{source}: {setting} " + ENGINE_REFUSED.format(verb=verb, way_out=way_out)


# 1. SVC rules always run, at error -----------------------------------------------------------


def test_select_of_other_rules_still_runs_the_engine_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "broken", {"template.yaml": DUPLICATE})
    assert lint(capsys, str(root), "--select", "SN001") == (1, [UNPARSEABLE], "")


def test_the_readme_organisation_policy_still_runs_the_engine_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "broken", {"template.yaml": DUPLICATE, ".github/workflows/ci.yml": ""})
    policy = write(tmp_path, {"org.yaml": "version: 1\nselect: [SN, KMS, LAY, ORG]\n"
                                          "mandatory: [SN, KMS, LAY, ORG]\n"
                                          "layout: {required_files: []}\n"}) / "org.yaml"
    assert lint(capsys, str(root), "--config", str(policy)) == (1, [UNPARSEABLE], "")


@pytest.mark.parametrize(
    ("policy", "setting", "verb", "way_out"),
    [
        ("ignore: [SN001, SVC002]", "ignore: [SVC002]", "turn off", "remove it"),
        ("ignore: [SN001, SVC]", "ignore: [SVC]", "turn off", "remove it"),
        ("ignore: [SN001, S]", "ignore: [S]", "turn off", NARROWER),
        ("ignore: [SN001]\nseverity: {SVC002: warning}", "severity: {SVC002: warning}", "lower",
         "remove it"),
        ("ignore: [SN001]\nseverity: {S: info}", "severity: {S: info}", "lower", NARROWER),
    ],
)
def test_a_repo_policy_that_turns_off_or_lowers_an_engine_rule_is_svc005_and_not_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: str, setting: str, verb: str,
    way_out: str,
) -> None:
    root = write(tmp_path / "broken", {
        "template.yaml": DUPLICATE,
        ".svc/policy.yaml": f"version: 1\n{policy}\n",
    })
    svc005 = ("SVC005", ".svc/policy.yaml", 0, refused(".svc/policy.yaml", setting, verb, way_out))
    assert lint(capsys, str(root), "--select", "SN001") == (1, [svc005, UNPARSEABLE], "")
    # The whole repo policy is refused, like any invalid one: its other settings (here the
    # ignore of SN001) do not quietly apply while the file is being fixed.
    write(root, {"template.yaml": IMPORT})
    assert lint(capsys, str(root), "--select", "SN") == (1, [svc005, IMPORTS], "")
    write(root, {".svc/policy.yaml": "version: 1\nignore: [SN001]\n"})
    assert lint(capsys, str(root), "--select", "SN") == (0, [], "")


@pytest.mark.parametrize(
    ("policy", "setting", "verb", "way_out"),
    [
        ("ignore: [SVC002]", "ignore: [SVC002]", "turn off", "remove it"),
        ("ignore: [SVC]", "ignore: [SVC]", "turn off", "remove it"),
        ("severity: {SVC: warning}", "severity: {SVC: warning}", "lower", "remove it"),
        ("severity: {S: info}", "severity: {S: info}", "lower", NARROWER),
    ],
)
def test_an_organisation_policy_that_turns_off_or_lowers_an_engine_rule_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    policy: str, setting: str, verb: str, way_out: str,
) -> None:
    root = write(tmp_path / "broken", {"template.yaml": DUPLICATE})
    write(tmp_path, {"org.yaml": f"version: 1\n{policy}\n"})
    monkeypatch.chdir(tmp_path)
    assert lint(capsys, str(root), "--config", "org.yaml") == (
        2, [], f"svc: error: {refused('org.yaml', setting, verb, way_out)}\n"
    )


@pytest.mark.parametrize(
    ("flag", "way_out"),
    [("SVC002", "remove it"), ("SVC", "remove it"), ("svc", "remove it"), ("S", NARROWER)],
)
def test_ignoring_an_engine_rule_on_the_command_line_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, way_out: str
) -> None:
    root = write(tmp_path / "broken", {"template.yaml": DUPLICATE})
    message = refused("", f"--ignore {flag!r}", way_out=way_out)[2:]
    assert lint(capsys, str(root), "--ignore", flag) == (2, [], f"svc: error: {message}\n")


def test_settings_that_keep_engine_rules_on_at_error_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "broken", {
        "template.yaml": DUPLICATE,
        ".svc/policy.yaml": "version: 1\nselect: [SN]\nseverity: {SVC002: error}\n",
    })
    policy = write(tmp_path, {"org.yaml": "version: 1\nmandatory: [SVC]\nseverity: {S: error}\n"})
    assert lint(capsys, str(root), "--config", str(policy / "org.yaml"), "--select", "SN001") == (
        1, [UNPARSEABLE], ""
    )


def test_invalid_and_expired_suppressions_are_reported_whatever_is_selected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noreason = IMPORT.replace("other-Queue\n", "other-Queue  # svc: ignore[SN001]\n")
    expired = IMPORT.replace(
        "other-Queue\n", 'other-Queue  # svc: ignore[SN001] reason="PLAT-1" expires=2020-01-31\n')
    root = write(tmp_path / "a", {"template.yaml": noreason})
    assert lint(capsys, str(root), "--select", "SN002") == (1, [
        ("SVC003", "template.yaml", 5, 'suppression of SN001 has no reason: add reason="..."'),
    ], "")
    write(root, {"template.yaml": expired})
    assert lint(capsys, str(root), "--select", "SN002") == (1, [(
        "SVC004", "template.yaml", 5, ("suppression of SN001 expired on 2020-01-31: fix the "
        "findings or renew it with a new date and reason"),
    )], "")


def test_no_suppression_hides_an_engine_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Resources:\n" + RULE.format(pattern=DEEP).replace(
        "    Properties:\n",
        "    Metadata:\n      svc:\n        ignore:\n          - {rule: SVC002, reason: PLAT-1}\n"
        "    Properties:\n",
    ).replace(f"'{DEEP}'", f"'{DEEP}'  # svc: ignore[SVC002] reason=\"PLAT-2\"")
    root = write(tmp_path / "hostile", {"template.yaml": text})
    refusal = "rule SVC002 is one of svc's engine rules and cannot be suppressed: fix what it reports"
    assert lint(capsys, str(root), "--select", "SN001") == (1, [
        ("SVC003", "template.yaml", 7, refusal),
        ("SVC002", "template.yaml", 9, TOO_DEEP),
        ("SVC003", "template.yaml", 9, refusal),
    ], "")


def test_a_baseline_neither_records_nor_accepts_engine_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "broken", {"template.yaml": DUPLICATE})
    baseline = tmp_path / "baseline.json"
    code = main(["lint", "--no-cache", str(root), "--select", "SN001", "--write-baseline", str(baseline)])
    assert (code, capsys.readouterr().err) == (0, f"svc: wrote 0 findings to baseline {baseline}\n")
    assert json.loads(baseline.read_text(encoding="utf-8"))["findings"] == []
    # A baseline written by an older svc may list one: it still fails.
    main(["lint", "--no-cache", str(root), "-f", "json"])
    fingerprint = next(f["fingerprint"] for f in json.loads(capsys.readouterr().out)["findings"]
                       if f["rule"] == "SVC002")
    baseline.write_text(json.dumps({"version": 2, "single_repo": True, "findings": [
        {"repo": "broken", "fingerprint": fingerprint, "rule": "SVC002", "file": "template.yaml"},
    ]}), encoding="utf-8")
    assert lint(capsys, str(root), "--select", "SN001", "--baseline", str(baseline)) == (
        1, [UNPARSEABLE], ""
    )


def test_protection_covers_every_svc_code_not_a_list_of_five() -> None:
    """A rule added to the engine family later (SVC006, ...) is protected by its code alone."""
    policy = Policy(select=("SN001",), ignore=("SVC", "S"), severity={"S": "info", "SVC": "info"})
    assert (policy.enabled("SVC006"), policy.severity_of("SVC006", "warning")) == (True, "error")
    assert (policy.enabled("SN002"), policy.severity_of("SN002", "error")) == (False, "info")
    new = Finding("r", "f", 1, 1, "SVC006", "new-engine-rule", "error", "m", "fp")
    accepted = Baseline("b.json", single_repo=True, entries=frozenset({("r", "fp")}))
    assert apply_baseline([new], accepted, {"r": "r"}) == [new]
    assert all(rule.code.startswith("SVC") and rule.severity == "error" for rule in ENGINE_RULES)


# 2. A failure anywhere in a repo's processing is SVC001 on that repo -------------------------


def boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


@pytest.mark.parametrize(
    ("target", "file", "message"),
    [
        ("policy_for_repo", ".svc/policy.yaml", ("svc crashed while reading .svc/policy.yaml: "
         "RuntimeError: boom; the repo was checked with the organisation policy alone")),
        ("load_repo", "template.yaml",
         "svc crashed while loading this repo: RuntimeError: boom; no rule could check it"),
        ("find_template", "", ("svc crashed while linting this repo: RuntimeError: boom; "
         "it was not checked")),
    ],
)
def test_a_crash_in_a_stage_is_svc001_naming_the_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    target: str, file: str, message: str,
) -> None:
    root = write(tmp_path / "billing", {"template.yaml": IMPORT})
    monkeypatch.setattr(engine, target, boom)
    code, rows, err = lint(capsys, str(root), "--select", "SVC")
    assert (code, rows, err) == (1, [("SVC001", file, 0, message)], "")
    main(["lint", "--no-cache", str(root), "--select", "SVC"])
    assert capsys.readouterr().out.splitlines()[-1] == "1 error, 0 warnings, 0 info in 1 repo (1 crash)"


def test_a_crash_while_applying_suppressions_leaves_every_finding_unsuppressed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = IMPORT.replace("other-Queue\n", 'other-Queue  # svc: ignore[SN001] reason="PLAT-1"\n')
    root = write(tmp_path / "billing", {"template.yaml": text})
    assert lint(capsys, str(root), "--select", "SN001")[:2] == (0, [])
    monkeypatch.setattr(engine, "apply_suppressions", boom)
    assert lint(capsys, str(root), "--select", "SN001") == (1, [
        ("SVC001", "template.yaml", 0, ("svc crashed while applying suppressions: RuntimeError: "
         "boom; none of this repo's findings is suppressed")),
        IMPORTS,
    ], "")


def test_a_facts_crash_is_svc001_and_the_repo_does_not_drop_out_of_the_organisation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = '{"source": ["orders"]}'
    write(tmp_path / "org" / "a", {"template.yaml": IMPORT, "catalog-info.yaml": MANIFEST})
    write(tmp_path / "org" / "b", {"template.yaml": "Resources:\n" + RULE.format(pattern=pattern),
                                   "catalog-info.yaml": MANIFEST})
    org = str(tmp_path / "org")
    code, rows, _ = lint(capsys, org, "--select", "ORG001")
    assert (code, [row[:3] for row in rows]) == (1, [
        ("ORG001", "catalog-info.yaml", 2), ("ORG001", "catalog-info.yaml", 2),
    ])

    def recursion(text: str) -> Any:  # what json.loads raised on 100,000 `[` before the bound
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")

    monkeypatch.setattr(events, "decode_json", recursion)
    crash = ("SVC001", "template.yaml", 0, ("svc crashed while extracting facts from this repo: "
             "RecursionError: maximum recursion depth exceeded while decoding a JSON array; the "
             "organisation rules could not check it"))
    assert lint(capsys, org, "--select", "ORG001") == (1, [crash], "")
    main(["lint", "--no-cache", org, "--select", "ORG001"])
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["b  " + str(tmp_path / "org" / "b"), (f"  {tmp_path}/org/b/template.yaml  error  SVC001  "
                       f"rule-crashed  {crash[3]}")]
    assert out[-1] == "1 error, 0 warnings, 0 info in 2 repos (1 crash)"


def test_a_crashed_repo_result_is_not_cached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(tmp_path / "billing", {"template.yaml": IMPORT})
    cache = str(tmp_path / "cache")
    monkeypatch.setattr(engine, "load_repo", boom)
    assert main(["lint", str(root), "--cache-dir", cache, "--select", "SN002"]) == 1
    monkeypatch.undo()
    # A crash may be the runner's (memory, a file changing mid-read): the next run tries again.
    assert main(["lint", str(root), "--cache-dir", cache, "--select", "SN002"]) == 0
    capsys.readouterr()


def test_svc_facts_on_a_crash_is_a_one_line_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(tmp_path / "billing", {"template.yaml": IMPORT})
    monkeypatch.setattr(published, "read_facts", boom)
    out = tmp_path / "facts.json"
    assert (main(["facts", str(root), "-o", str(out)]), capsys.readouterr().err) == (2, (
        f"svc: error: svc crashed while extracting the facts of {root}: RuntimeError: boom; "
        "no facts written (please report this)\n"
    ))
    assert not out.exists()


def test_an_exception_text_is_kept_to_one_bounded_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def long_crash(repo: LoadedRepo) -> Any:
        raise RuntimeError("line\n" * 5000)

    root = write(tmp_path / "billing", {"template.yaml": IMPORT})
    monkeypatch.setattr(facts_module, "read_facts", long_crash)
    assert lint(capsys, str(root), "--select", "SN002")[1] == [(
        "SVC001", "template.yaml", 0, ("svc crashed while extracting facts from this repo: "
        f"RuntimeError: {('line ' * 40)[:197]}...; the organisation rules could not check it"),
    )]


# 3. The root cause: JSON in a template is decoded within the loader's bounds ------------------


def test_a_hostile_event_pattern_is_svc002_and_the_organisation_rules_still_see_the_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "org" / "a", {"template.yaml": IMPORT, "catalog-info.yaml": MANIFEST})
    write(tmp_path / "org" / "b", {"template.yaml": HOSTILE, "catalog-info.yaml": MANIFEST})
    code, rows, err = lint(capsys, str(tmp_path / "org"), "--select", "ORG001")
    assert (code, err) == (1, "")
    assert [row[:3] for row in rows] == [
        ("ORG001", "catalog-info.yaml", 2), ("ORG001", "catalog-info.yaml", 2),
        ("SVC002", "template.yaml", 5),
    ]
    assert rows[2][3] == TOO_DEEP


def test_a_hostile_event_pattern_keeps_org007_in_the_single_repo_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher = (
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {}\n      Policies:\n        - PolicyName: publish\n"
        "          PolicyDocument:\n            Statement:\n              - Effect: Allow\n"
        "                Action: events:PutEvents\n                Resource: '*'\n"
        "                Condition: {StringEquals: {events:source: billing}}\n"
    )
    root = write(tmp_path / "billing", {"template.yaml": publisher + RULE.format(pattern=DEEP),
                                        "catalog-info.yaml": MANIFEST})
    assert lint(capsys, str(root), "--select", "ORG007") == (1, [
        ("ORG007", "template.yaml", 13, ("the template lets Role put events with source 'billing', "
         "which catalog-info.yaml does not declare: add it to spec.svc.events.publishes")),
        ("SVC002", "template.yaml", 17, TOO_DEEP),
    ], "")


def test_svc_facts_refuses_a_template_it_cannot_fully_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "billing", {"template.yaml": HOSTILE})
    assert (main(["facts", str(root)]), capsys.readouterr()) == (2, ("", (
        f"svc: error: {root}: template.yaml:5:7: {TOO_DEEP} (`svc lint` reports it as SVC002); "
        "no facts written\n"
    )))


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{not json", "Rule's EventPattern cannot be read: it is not JSON ("),
        ("[" * 101 + "]" * 101, TOO_DEEP.split(";")[0] + ";"),
    ],
)
def test_an_unreadable_json_pattern_is_reported_not_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pattern: str, message: str
) -> None:
    root = write(tmp_path / "billing", {"template.yaml": "Resources:\n" + RULE.format(pattern=pattern)})
    code, rows, _ = lint(capsys, str(root), "--select", "SN001")
    assert (code, [row[:3] for row in rows]) == (1, [("SVC002", "template.yaml", 5)])
    assert rows[0][3].startswith(message)
    assert rows[0][3].endswith(TOO_DEEP.split(";", 1)[1])


def test_a_sam_event_pattern_string_is_bounded_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = (
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Events:\n        Orders:\n          Type: EventBridgeRule\n"
        f"          Properties:\n            Pattern: '{DEEP}'\n"
    )
    root = write(tmp_path / "billing", {"template.yaml": template})
    assert lint(capsys, str(root), "--select", "SN001") == (1, [(
        "SVC002", "template.yaml", 9, TOO_DEEP.replace("Rule's EventPattern", "Fn's event Orders Pattern"),
    )], "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (DEEP, "it nests deeper than 100 levels"),
        ("[" * 101 + "]" * 101, "it nests deeper than 100 levels"),
        ('{"a": ' * 101 + "1" + "}" * 101, "it nests deeper than 100 levels"),
        ("[1,", "it is not JSON (*at line 1 column 4)"),  # the parser's own words in between
    ],
)
def test_decode_json_refuses_what_the_loader_refuses(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        decode_json(text)
    assert fnmatchcase(str(raised.value), reason)


def test_decode_json_reads_up_to_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert decode_json("[" * 100 + "]" * 100) is not None
    assert decode_json('{"source": ["orders"]}') == {"source": ["orders"]}
    monkeypatch.setattr(values, "MAX_BYTES", 2 * 1024 * 1024)
    with pytest.raises(ValueError, match="^it is larger than 2 MiB$"):
        decode_json(" " * (2 * 1024 * 1024 + 1))


def test_rule_pages_say_engine_rules_cannot_be_turned_off() -> None:
    for rule in ENGINE_RULES:
        assert "cannot be turned off" in rule.doc, rule.code


