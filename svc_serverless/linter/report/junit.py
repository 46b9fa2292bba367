"""JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure DevOps, ...).

One <testsuite> per repo and one <testcase> per finding, so each finding shows up in the CI's
test view with its repo as the class. A testcase fails exactly when the finding makes
`svc lint` exit 1 (unsuppressed, at or above --fail-on): findings below the threshold pass, with
their message in <system-out>; suppressed ones are <skipped>. A repo with no finding gets one
passing "svc lint" testcase so the CI shows it was checked; a repo that could not be read gets
an "svc lint" testcase with an <error>.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from svc_serverless.linter.report.common import (
    ArtifactPaths,
    RepoGroup,
    group_by_repo,
    location,
)
from svc_serverless.linter.report.safe import escape_controls, safe_markup

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

REPO_CASE = "svc lint"
COUNTED = (("failure", "failures"), ("error", "errors"), ("skipped", "skipped"))

# XML 1.0 cannot carry most control characters, even escaped (&#27; is still illegal): a message
# copied from a template could otherwise make the whole report unparseable. escape_controls
# spells those out; this catches what is left (U+FFFE, U+FFFF), spelled the same way.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(result: LintResult, *, color: bool = False) -> str:
    del color  # XML has no colour; the parameter is part of every reporter's signature
    failing = set(result.failing())
    paths = ArtifactPaths(result)
    root = ET.Element("testsuites", {"name": "svc lint"})
    for group in group_by_repo(result):
        suite = ET.SubElement(root, "testsuite", {"name": _xml(group.name)})
        _add_cases(suite, group, failing, paths)
        _set_counts(suite)
    _set_counts(root)
    ET.indent(root)
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    # Printed to a CI log, a message line could be a workflow command.
    return safe_markup(xml)


def _add_cases(
    suite: ET.Element, group: RepoGroup, failing: set[Finding], paths: ArtifactPaths
) -> None:
    if group.error is not None:
        case = _case(suite, group.name, REPO_CASE)
        ET.SubElement(case, "error", {"message": _xml(group.error), "type": "unreadable"})
    elif not group.findings:
        _case(suite, group.name, REPO_CASE)
    for finding in group.findings:
        _add_finding(suite, finding, finding in failing, paths)


def _add_finding(suite: ET.Element, finding: Finding, fails: bool, paths: ArtifactPaths) -> None:
    case = _case(suite, finding.repo, f"{finding.rule} {location(finding)}")
    path = paths(finding)
    if finding.file:
        case.set("file", _xml(path))
    detail = _xml(
        f"{finding.severity}: {finding.rule} {finding.name}\n"
        f"{location(finding, path)}\n{finding.message}"
    )
    # Suppressed first: `fails` compares findings without their suppression.
    if finding.suppression is not None:
        reason = finding.suppression.reason
        ET.SubElement(case, "skipped", {"message": _xml(f"suppressed: {reason}")})
    elif fails:
        failure = ET.SubElement(case, "failure", {"message": _xml(finding.message),
                                                  "type": finding.rule})
        failure.text = detail
    else:
        ET.SubElement(case, "system-out").text = detail


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": _xml(classname), "name": _xml(name)})


def _set_counts(element: ET.Element) -> None:
    """tests/failures/errors/skipped, counted from the testcases themselves so they cannot drift."""
    cases = list(element.iter("testcase"))
    element.set("tests", str(len(cases)))
    for tag, attribute in COUNTED:
        element.set(attribute, str(sum(1 for case in cases if case.find(tag) is not None)))


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", escape_controls(text))
