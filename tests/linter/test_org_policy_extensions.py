"""Plugins, rule options, waivers and --show-settings: what an organisation policy adds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from svc_serverless.cli import main

TEMPLATE = """\
Resources:
  OldTable:
    Type: AWS::DynamoDB::Table
  NewTable:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Layers:
        - arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:5
      Environment:
        Variables:
          LOGS: arn:aws:sqs:eu-west-1:111122223333:central-logs
          OTHER: arn:aws:sqs:eu-west-1:444455556666:other
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["lint", "--no-cache", "-f", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out)["findings"] if out else [], err


def rows(findings: list[dict[str, Any]], *codes: str) -> list[tuple[Any, ...]]:
    return [(f["repo"], f["rule"], f["line"], f["suppressed"]) for f in findings
            if f["rule"] in codes]


# 1. Plugins -----------------------------------------------------------------------------------

PLUGIN = '''
from svc_serverless.linter.rule import Problem, Rule

def check(repo):
    if repo.name == "broken":
        raise RuntimeError("plugin bug")
    if repo.manifest is None:
        yield Problem("no catalog-info.yaml: ACME's catalog needs one", file="catalog-info.yaml")

RULES = [Rule("ACMEP001", "acme-catalog", "error", ("acme",), "Catalog.\\n\\n## What it does\\nx", check)]
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An installed distribution with an svc.rules entry point, as a dist-info on sys.path."""
    name = f"acme_plugin_{abs(hash(str(tmp_path))) % 10**8}"
    site = write(tmp_path / "site", {
        f"{name}.py": PLUGIN,
        f"{name}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{name}-1.0.dist-info/entry_points.txt": f"[svc.rules]\n{name} = {name}:RULES\n",
    })
    monkeypatch.syspath_prepend(str(site))
    yield name
    sys.modules.pop(name, None)


def test_a_listed_plugin_adds_a_rule_that_fires_and_a_raising_one_is_svc001_on_that_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plugin: str
) -> None:
    config = write(tmp_path, {"org.yaml": f"version: 1\nplugins: [{plugin}]\n"}) / "org.yaml"
    for name in ("billing", "broken"):
        write(tmp_path / "org" / name, {"template.yaml": "Resources: {}\n"})
    code, findings, err = lint(capsys, str(tmp_path / "org"), "--config", str(config))
    assert (code, err) == (1, "")
    assert rows(findings, "ACMEP001", "SVC001") == [
        ("billing", "ACMEP001", 0, False), ("broken", "SVC001", 0, False)]
    crash = next(f for f in findings if f["rule"] == "SVC001")
    assert crash["message"] == ("rule ACMEP001 (acme-catalog) crashed on this repo: "
                                "RuntimeError: plugin bug")


def test_an_installed_plugin_the_policy_does_not_list_never_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plugin: str
) -> None:
    write(tmp_path / "billing", {"template.yaml": "Resources: {}\n"})
    _, findings, _ = lint(capsys, str(tmp_path / "billing"))
    assert rows(findings, "ACMEP001") == []
    assert plugin not in sys.modules


def test_an_unknown_plugin_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, {"org.yaml": "version: 1\nplugins: [nowhere]\n"}) / "org.yaml"
    write(tmp_path / "billing", {"template.yaml": "Resources: {}\n"})
    assert main(["lint", str(tmp_path / "billing"), "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"svc: error: {config}: plugin 'nowhere' is not installed (no entry point 'nowhere' in "
        "group 'svc.rules'): install its package into svc's environment, or remove it from "
        "plugins\n")


# 2. Rule options ------------------------------------------------------------------------------


def test_sn003_allowed_accounts_silences_that_account_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE})
    _, findings, _ = lint(capsys, str(repo))
    assert rows(findings, "SN003") == [("billing", "SN003", 14, False), ("billing", "SN003", 15, False)]
    config = write(tmp_path, {"org.yaml": "version: 1\noptions:\n  SN003:\n"
                                          "    allowed-accounts: ['111122223333']\n"}) / "org.yaml"
    _, findings, _ = lint(capsys, str(repo), "--config", str(config))
    assert rows(findings, "SN003") == [("billing", "SN003", 15, False)]


def test_sn005_allowed_layers_and_kms002_store_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE})
    _, findings, _ = lint(capsys, str(repo))
    assert [r[2] for r in rows(findings, "SN005")] == [11]
    assert [r[2] for r in rows(findings, "KMS002")] == [2, 4, 12]
    config = write(tmp_path, {"org.yaml": (
        "version: 1\noptions:\n"
        "  SN005: {allowed-layers: ['arn:aws:lambda:*:017000801446:layer:AWSLambdaPowertools*']}\n"
        "  KMS002: {data-store-types: [AWS::SQS::Queue]}\n")}) / "org.yaml"
    _, findings, _ = lint(capsys, str(repo), "--config", str(config))
    assert rows(findings, "SN005", "KMS002") == []


def test_a_repo_policy_sets_options_but_not_for_a_mandatory_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allow = "version: 1\noptions: {SN003: {allowed-accounts: ['444455556666']}}\n"
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE, ".svc/policy.yaml": allow})
    _, findings, _ = lint(capsys, str(repo))
    assert [r[2] for r in rows(findings, "SN003")] == [14]
    config = write(tmp_path, {"org.yaml": "version: 1\nmandatory: [SN003]\n"}) / "org.yaml"
    _, findings, _ = lint(capsys, str(repo), "--config", str(config))
    assert [r[2] for r in rows(findings, "SN003")] == [14, 15]


@pytest.mark.parametrize(("options", "error"), [
    ("  SN003:\n    allowed-accounts: ['12345']\n",
     "org.yaml:5: option allowed-accounts of SN003 is invalid ("),
    ("  SN003: {allowed-acounts: []}\n", "org.yaml:4: option options of SN003 is invalid ("),
    ("  SN001: {x: 1}\n",
     ("org.yaml:4: rule SN001 has no options (its page, `svc rules SN001`, lists any it has): "
     "remove options.SN001\n")),
    ("  ZZ001: {x: 1}\n",
     ("org.yaml:4: options for unknown rule ZZ001: use a rule's full code (`svc rules` lists "
     "them)\n")),
])
def test_an_invalid_option_is_a_usage_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    options: str, error: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"org.yaml": f"version: 1\n# ACME\noptions:\n{options}",
                     "billing/template.yaml": TEMPLATE})
    assert main(["lint", "billing", "--config", "org.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"svc: error: {error}")
    if error.endswith("("):
        assert err.endswith("; `svc rules SN003` describes its options\n")


def test_a_rule_page_lists_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "SN003"]) == 0
    assert "\n## Options\nSet in a policy file under `options: {CODE: {...}}`:\n\n" \
           "- `allowed-accounts` (list of strings): account ids any service may name" \
           in capsys.readouterr().out


# 3. Waivers -----------------------------------------------------------------------------------

WAIVER = """\
version: 1
waivers:
  - rule: KMS002
    repo: billing
    resource: OldTable
    reason: migrating to the service key in PLAT-123
    owner: team-billing
    expires: {expires}
"""


def test_an_active_waiver_accepts_that_resource_in_that_repo_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, {"org.yaml": WAIVER.format(expires="2099-12-31")}) / "org.yaml"
    for name in ("billing", "orders"):
        write(tmp_path / "org" / name, {"template.yaml": TEMPLATE})
    _, findings, _ = lint(capsys, str(tmp_path / "org"), "--config", str(config))
    assert rows(findings, "KMS002") == [
        ("billing", "KMS002", 2, True), ("billing", "KMS002", 4, False),
        ("billing", "KMS002", 12, False), ("orders", "KMS002", 2, False),
        ("orders", "KMS002", 4, False), ("orders", "KMS002", 12, False)]
    waived = next(f for f in findings if f["suppressed"])
    assert waived["suppression"] == {
        "reason": "migrating to the service key in PLAT-123 (waiver owned by team-billing)",
        "expires": "2099-12-31", "source": "waiver"}


def test_an_expired_waiver_suppresses_nothing_and_is_svc004_on_the_waived_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, {"org.yaml": WAIVER.format(expires="2020-01-31")}) / "org.yaml"
    for name in ("billing", "orders"):
        write(tmp_path / "org" / name, {"template.yaml": TEMPLATE})
    _, findings, _ = lint(capsys, str(tmp_path / "org"), "--config", str(config))
    assert rows(findings, "KMS002", "SVC004") == [
        ("billing", "SVC004", 0, False), ("billing", "KMS002", 2, False),
        ("billing", "KMS002", 4, False), ("billing", "KMS002", 12, False),
        ("orders", "KMS002", 2, False), ("orders", "KMS002", 4, False),
        ("orders", "KMS002", 12, False)]
    expired = next(f for f in findings if f["rule"] == "SVC004")
    assert expired["message"] == (
        f"waiver of KMS002 for billing/OldTable (owner team-billing) in {config}:3 expired on "
        "2020-01-31: fix the findings, or renew the waiver with a new date and reason")
    # A run that does not lint the waived repo is not failed by it.
    _, findings, _ = lint(capsys, str(tmp_path / "org" / "orders"), "--config", str(config))
    assert rows(findings, "SVC004") == []


@pytest.mark.parametrize(("waiver", "error"), [
    (WAIVER.format(expires="2099-12-31").replace("    reason: migrating to the service key "
                                                 "in PLAT-123\n", ""),
     ("org.yaml:3: waiver has no reason: every waiver needs rule, repo, reason, owner and expires "
     "(YYYY-MM-DD)")),
    (WAIVER.format(expires="next year"),
     "org.yaml:3: waiver expiry 'next year' is not a date: use YYYY-MM-DD"),
    (WAIVER.format(expires="2099-12-31").replace("KMS002", "SVC002"),
     ("org.yaml:3: a waiver of SVC002 would turn off an engine rule (SVC*), and those always run "
     "at error so that a repo svc could not fully check fails the gate: remove it")),
    (WAIVER.format(expires="2099-12-31").replace("KMS002", "KMS009"),
     ("org.yaml:3: waiver names unknown rule KMS009: give a rule's full code (`svc rules` lists "
     "them)")),
])
def test_an_invalid_waiver_is_a_usage_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    waiver: str, error: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"org.yaml": waiver, "billing/template.yaml": TEMPLATE})
    assert main(["lint", "billing", "--config", "org.yaml"]) == 2
    assert capsys.readouterr() == ("", f"svc: error: {error}\n")


def test_a_repo_cannot_grant_itself_a_waiver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE,
                                        ".svc/policy.yaml": WAIVER.format(expires="2099-12-31")})
    _, findings, _ = lint(capsys, str(repo))
    assert [(f["rule"], f["message"]) for f in findings if f["rule"] == "SVC005"] == [(
        "SVC005", (".svc/policy.yaml:2: waivers are granted only in the organisation policy, by "
        "the platform team: remove waivers from .svc/policy.yaml"))]
    assert [f["suppressed"] for f in findings if f["rule"] == "KMS002"] == [False, False, False]


def test_the_html_report_lists_active_waivers_per_team(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, {"org.yaml": WAIVER.format(expires="2099-12-31")}) / "org.yaml"
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE})
    main(["lint", str(repo), "--no-cache", "-f", "html", "--config", str(config)])
    page = capsys.readouterr().out
    assert ('<section class="waivers">\n<h2>Active waivers</h2>\n<h3>team-billing</h3>\n'
            '<table class="waivers"><thead><tr><th>rule</th><th>repo</th><th>resource</th>'
            '<th>reason</th><th>expires</th><th>findings waived</th></tr></thead><tbody><tr>'
            '<td>KMS002</td><td>billing</td><td>OldTable</td><td>migrating to the service key in '
            'PLAT-123</td><td>2099-12-31</td><td>1</td></tr></tbody></table>\n</section>') in page


# 4. --show-settings ---------------------------------------------------------------------------


def test_show_settings_names_the_layer_behind_each_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, {"org.yaml": (
        "version: 1\nmandatory: [KMS002]\nseverity: {LAY: warning}\n"
        "options: {SN003: {allowed-accounts: ['111122223333']}}\n")}) / "org.yaml"
    repo = write(tmp_path / "billing", {
        "template.yaml": TEMPLATE,
        ".svc/policy.yaml": "version: 1\nignore: [LAY008]\nseverity: {LAY002: info}\n"})
    assert main(["lint", str(repo), "--config", str(config), "--show-settings",
                 "--ignore", "SN009"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [f"billing ({repo})", f"  organisation policy: {config}",
                       ("  CODE     ENABLED                SEVERITY                 MANDATORY"
                       "            OPTIONS")]
    table = {line.split()[0]: line for line in out[3:]}
    assert table["SVC001"] == ("  SVC001   yes (built-in, engine) error (built-in, engine) no"
                               "                   -")
    assert table["SN003"] == ("  SN003    yes (built-in)         error (built-in)         no"
                              "                   allowed-accounts=[\"111122223333\"] (org policy)")
    assert table["SN009"].startswith("  SN009    no (command line)      error (built-in)")
    assert table["KMS002"].startswith("  KMS002   yes (built-in)         error (built-in)"
                                      "         yes (org policy)     (defaults)")
    assert table["LAY002"].startswith("  LAY002   yes (built-in)         info (repo policy)")
    assert table["LAY005"].startswith("  LAY005   yes (built-in)         warning (org policy)")
    assert table["LAY008"].startswith("  LAY008   no (repo policy)       warning (built-in)")


@pytest.mark.parametrize(("key", "why"), [
    ("mandatory", ("rules are made mandatory only in the organisation policy (a repo cannot bind "
                  "itself, and would only seem to)")),
    ("plugins", "plugins are loaded only from the organisation policy"),
])
def test_a_repo_policy_cannot_hold_organisation_only_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, why: str
) -> None:
    text = f"version: 1\nignore: [LAY007]\n{key}: [KMS]\n"
    repo = write(tmp_path / "billing", {"template.yaml": TEMPLATE, ".svc/policy.yaml": text})
    _, findings, _ = lint(capsys, str(repo))
    assert [(f["rule"], f["file"], f["message"]) for f in findings if f["rule"] == "SVC005"] == [
        ("SVC005", ".svc/policy.yaml", f".svc/policy.yaml:3: {why}: remove {key} from .svc/policy.yaml"),
    ]
    # The whole repo policy is set aside, as for any invalid one: its ignore does not apply.
    assert [f["rule"] for f in findings if f["rule"] == "LAY007"] == ["LAY007"]
