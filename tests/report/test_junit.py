"""JUnit XML: one suite per repo, one testcase per finding, failing exactly as the exit code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from svc_serverless.linter.report.junit import render
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report import samples

COUNTS = ("tests", "failures", "errors", "skipped")


def _counts(element: ET.Element) -> tuple[str, ...]:
    return tuple(element.attrib[name] for name in COUNTS)


def test_empty_run() -> None:
    assert render(samples.empty()) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="svc lint" tests="0" failures="0" errors="0" skipped="0" />\n'
    )


def test_mixed_run_counts() -> None:
    root = ET.fromstring(render(samples.mixed()))
    assert _counts(root) == ("7", "2", "1", "2")
    assert [(s.attrib["name"], *_counts(s)) for s in root.iter("testsuite")] == [
        ("orders", "3", "1", "0", "1"),
        ("payments", "2", "1", "0", "1"),
        ("legacy", "1", "0", "1", "0"),
        ("users", "1", "0", "0", "0"),
    ]


def test_mixed_run_document() -> None:
    assert render(samples.mixed()).splitlines() == [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="svc lint" tests="7" failures="2" errors="1" skipped="2">',
        '  <testsuite name="orders" tests="3" failures="1" errors="0" skipped="1">',
        ('    <testcase classname="orders" name="LAY002 functions/api/requirements.txt" '
         'file="services/orders/functions/api/requirements.txt">'),
        # info is below --fail-on warning: reported, but the testcase passes
        "      <system-out>info: LAY002 one-manifest",
        "services/orders/functions/api/requirements.txt",
        "functions/api has two dependency manifests</system-out>",
        "    </testcase>",
        ('    <testcase classname="orders" name="SN001 template.yaml:12:7" '
         'file="services/orders/template.yaml">'),
        ('      <failure message="Fn::ImportValue payments-TableName reads another '
         'stack\'s output" type="SN001">error: SN001 no-import-value'),
        "services/orders/template.yaml:12:7",
        "Fn::ImportValue payments-TableName reads another stack's output</failure>",
        "    </testcase>",
        ('    <testcase classname="orders" name="KMS001 template.yaml:30:9" '
         'file="services/orders/template.yaml">'),
        '      <skipped message="suppressed: moving to our own key" />',
        "    </testcase>",
        "  </testsuite>",
        '  <testsuite name="payments" tests="2" failures="1" errors="0" skipped="1">',
        ('    <testcase classname="payments" name="LAY001 functions/refund" '
         'file="services/payments/functions/refund">'),
        ('      <failure message="functions/refund is not referenced by template.yaml" '
         'type="LAY001">warning: LAY001 function-dir-unused'),
        "services/payments/functions/refund",
        "functions/refund is not referenced by template.yaml</failure>",
        "    </testcase>",
        ('    <testcase classname="payments" name="KMS001 template.yaml:8" '
         'file="services/payments/template.yaml">'),
        '      <skipped message="suppressed: in the baseline" />',
        "    </testcase>",
        "  </testsuite>",
        '  <testsuite name="legacy" tests="1" failures="0" errors="1" skipped="0">',
        '    <testcase classname="legacy" name="svc lint">',
        f'      <error message="{samples.UNREADABLE}" type="unreadable" />',
        "    </testcase>",
        "  </testsuite>",
        '  <testsuite name="users" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="users" name="svc lint" />',
        "  </testsuite>",
        "</testsuites>",
    ]


def test_fail_on_never_fails_no_testcase() -> None:
    base = samples.mixed()
    result = LintResult(repos=base.repos, findings=base.findings, fail_on="never")
    assert _counts(ET.fromstring(render(result))) == ("7", "0", "1", "2")


def test_special_characters_parse_back_to_the_message() -> None:
    root = ET.fromstring(render(samples.special()))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.attrib == {"classname": "odd", "name": "SN001 functions/a,b:c.yaml:3:5",
                           "file": "odd dir/functions/a,b:c.yaml"}
    failure = case.find("failure")
    assert failure is not None
    escaped = "a | b, 100%: <tag> & café ☕\nsecond line \\x1b[31m"  # ESC is illegal in XML 1.0
    assert failure.attrib == {"message": escaped, "type": "SN001"}
    assert failure.text == (
        f"error: SN001 no-import-value\nodd dir/functions/a,b:c.yaml:3:5\n{escaped}"
    )


def test_characters_xml_cannot_hold_are_spelled_out() -> None:
    odd = samples.finding("a", "t.yaml", 1, 1, "SN001", "error", "x\ud800y\uffffz")
    result = LintResult(repos=(RepoResult("a", "a"),), findings=(odd,))
    failure = ET.fromstring(render(result)).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.attrib["message"] == "x\\ud800y\\uffffz"
