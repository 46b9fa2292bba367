"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Choices, and why:
- One run per file: GitHub stopped merging several runs of one category (2025-07), so an
  organisation-wide report is one run whose locations carry the repo folder.
- `tool.driver.rules` lists every rule of the run, not only the ones that fired, so a viewer has
  the full help for any result and `ruleIndex` is stable between runs with the same rules.
- Locations are relative to the run's root with `uriBaseId` %SRCROOT%; `originalUriBaseIds`
  describes %SRCROOT% but gives no absolute `file://` URI, which would leak the runner's layout
  (GitHub resolves %SRCROOT% to the checkout by itself).
- `partialFingerprints` carries svc's own line-free fingerprint, so alerts survive moved lines.
- Suppressed findings are results with `suppressions`: "inSource" for a template comment or
  Metadata, "external" for a baseline file.
- A repo that could not be read is a `toolExecutionNotification`, not a result: there is no file
  to point at. `executionSuccessful` is false only when a rule crashed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from svc_serverless import __version__
from svc_serverless.linter.report.common import ArtifactPaths, doc_section, rule_doc_url
from svc_serverless.linter.report.safe import safe_json
from svc_serverless.linter.rule import OrgRule, Rule
from svc_serverless.linter.ruledocs import summary as rule_summary

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import AnyRule, Finding, Suppression

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/svc-dev/svc"
SRCROOT = "%SRCROOT%"
SRCROOT_DESCRIPTION = "The folder every path is relative to (in CI, the checkout)."
FINGERPRINT_KEY = "svcFingerprint/v2"  # bump the suffix if svc's fingerprint recipe changes
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
IN_SOURCE = frozenset({"comment", "metadata"})  # any other source (a baseline) is external

JsonObject = dict[str, object]


def render(result: LintResult, *, color: bool = False) -> str:
    del color  # SARIF has no colour; the parameter is part of every reporter's signature
    return safe_json(json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n")


def sarif_log(result: LintResult) -> JsonObject:
    """The SARIF log as plain data (what `render` serialises)."""
    rules = _run_rules(result)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    paths = ArtifactPaths(result)
    run: JsonObject = {
        "tool": {"driver": _driver(rules)},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": SRCROOT_DESCRIPTION}},
        },
        "invocations": [_invocation(result)],
        "columnKind": "unicodeCodePoints",  # columns count characters, as the YAML parser does
        "results": [_result(f, rule_index[f.rule], paths) for f in result.findings],
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _run_rules(result: LintResult) -> list[AnyRule]:
    """The run's rules in order, then any rule that reported but is not among them.

    A finding's rule is looked up in the registry and, failing that (a rule from a newer svc in
    a cached result), described from the finding itself, so every result has its ruleIndex.
    """
    by_code: dict[str, AnyRule] = {}
    for rule in result.rules:
        if isinstance(rule, (Rule, OrgRule)):
            by_code.setdefault(rule.code, rule)
    missing = sorted({f.rule for f in result.findings} - by_code.keys())
    if missing:
        from svc_serverless.rules import (
            ALL_RULES,  # imported only when needed: it loads every rule module
        )

        known = {rule.code: rule for rule in ALL_RULES}
        first = {f.rule: f for f in reversed(result.findings)}
        for code in missing:
            by_code[code] = known.get(code) or _rule_from_finding(first[code])
    return list(by_code.values())


def _rule_from_finding(finding: Finding) -> Rule:
    return Rule(finding.rule, finding.name, finding.severity, (), "", None)


def _driver(rules: list[AnyRule]) -> JsonObject:
    return {
        "name": "svc",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_descriptor(rule) for rule in rules],
    }


def _descriptor(rule: AnyRule) -> JsonObject:
    summary = rule_summary(rule) or rule.name
    page = rule.doc.strip() or summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": doc_section(rule.doc, "What it does") or summary},
        # The page is Markdown that reads fine as text too; GitHub shows `markdown`.
        "help": {"text": page, "markdown": page},
        "helpUri": rule_doc_url(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags)},
    }


def _invocation(result: LintResult) -> JsonObject:
    return {
        "executionSuccessful": result.crashes == 0,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"{repo.name}: {repo.error}"}}
            for repo in result.repos
            if repo.error is not None
        ],
    }


def _result(finding: Finding, rule_index: int, paths: ArtifactPaths) -> JsonObject:
    sarif_result: JsonObject = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding, paths)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"repo": finding.repo},
    }
    if finding.suppression is not None:
        sarif_result["suppressions"] = [_suppression(finding.suppression)]
    return sarif_result


def _location(finding: Finding, paths: ArtifactPaths) -> JsonObject:
    location: JsonObject = {}
    if finding.file:
        physical: JsonObject = {
            "artifactLocation": {"uri": quote(paths(finding), safe="/"), "uriBaseId": SRCROOT},
        }
        region = _region(finding)
        if region:
            physical["region"] = region
        location["physicalLocation"] = physical
    if finding.path:
        name = finding.path.rstrip("/").rsplit("/", 1)[-1]
        location["logicalLocations"] = [{"name": name, "fullyQualifiedName": finding.path}]
    return location


def _region(finding: Finding) -> JsonObject:
    """SARIF lines and columns start at 1: line 0 (the whole file) has no region at all."""
    if finding.line < 1:
        return {}
    region: JsonObject = {"startLine": finding.line}
    if finding.column >= 1:
        region["startColumn"] = finding.column
    return region


def _suppression(suppression: Suppression) -> JsonObject:
    entry: JsonObject = {
        "kind": "inSource" if suppression.source in IN_SOURCE else "external",
        "status": "accepted",
    }
    if suppression.reason:
        entry["justification"] = suppression.reason
    if suppression.expires:
        entry["properties"] = {"expires": suppression.expires}
    return entry
