"""Suppressions: accepted findings, each with a mandatory reason and an optional expiry date.

Two places, because YAML comments do not survive `sam package` but resource Metadata does:

- in the template, per resource (or for the whole repo in the top-level `Metadata`):
      Metadata:
        svc:
          ignore:
            - rule: KMS002
              reason: migrating to the service key in PLAT-123
              expires: 2027-03-31
- as a YAML comment on the offending line, or alone on the line above it:
      KMSMasterKeyId: alias/aws/dynamodb  # svc: ignore[KMS002] reason="PLAT-123" expires=2027-03-31

Suppressed findings are kept (marked) so JSON and SARIF still show them; `--no-suppressions`
reports them as ordinary findings. Invalid suppressions (SVC003) and expired ones (SVC004) are
findings themselves and suppress nothing; the engine's own rules (every SVC code) cannot be
suppressed: suppressing "the template cannot be parsed" or "a rule crashed" would let a repo
pass the gate without being checked at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from svc_serverless.linter.cfnyaml import MarkedDict, position
from svc_serverless.linter.config import is_engine_rule
from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Finding, Problem, Rule, Suppression

# The codes stop at the next `#` (and 500 characters): `[^\]]*` retried at every `#` of a
# long line without `]` was quadratic in the line's length.
_COMMENT = re.compile(r"#[ \t]{0,20}svc:[ \t]{0,20}ignore\[(?P<codes>[^\]\n#]{0,500})\](?P<rest>.*)$")
_REASON = re.compile(r'reason\s{0,20}=\s{0,20}"(?P<reason>[^"\n]{0,1000})"')
_EXPIRES = re.compile(r"expires\s{0,20}=\s{0,20}(?P<expires>\S{1,40})")


@dataclass(frozen=True)
class Declared:
    """One suppression as written, before validation."""

    codes: tuple[str, ...]
    reason: str
    expires: str
    source: str  # "metadata" or "comment"
    line: int  # where it is written (for SVC003/SVC004)
    col: int
    scope_path: str | None = None  # metadata: "Resources/X" or "" for the whole repo
    target_line: int | None = None  # comment: the template line it covers


def _declared_from_metadata(repo: LoadedRepo) -> list[Declared]:
    template = repo.template
    if template is None:
        return []
    places: list[tuple[str, object]] = [("", template.data.get("Metadata"))]
    places += [(f"Resources/{r.logical_id}", r.metadata) for r in template.resources]
    declared: list[Declared] = []
    for scope, metadata in places:
        if not isinstance(metadata, dict):
            continue
        svc = metadata.get("svc")
        entries = svc.get("ignore") if isinstance(svc, dict) else None
        if entries is None:
            continue
        if not isinstance(entries, list):  # a mapping or a string: say so, don't ignore it
            line, col = position(entries) if position(entries) != (0, 0) else position(svc)
            declared.append(Declared((), "", "", "metadata", line, col, scope))
            continue
        for entry in entries:
            line, col = position(entry)
            if not isinstance(entry, MarkedDict):
                declared.append(Declared((), "", "", "metadata", line, col, scope))
                continue
            rule = entry.get("rule", entry.get("rules", ""))
            codes = tuple(str(c) for c in rule) if isinstance(rule, list) else (str(rule),)
            declared.append(Declared(
                codes=tuple(c for c in codes if c),
                reason=str(entry.get("reason") or "").strip(),
                expires=str(entry.get("expires") or ""),
                source="metadata",
                line=line, col=col, scope_path=scope,
            ))
    return declared


def _declared_from_comments(repo: LoadedRepo) -> list[Declared]:
    template = repo.template
    text = repo.text(template.path) if template else None
    if not text or "svc:" not in text:
        return []
    lines = text.splitlines()
    declared: list[Declared] = []
    following = _next_content_lines(lines)
    for index, line in enumerate(lines):
        if "svc:" not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        target = index + 1
        if line.lstrip().startswith("#"):  # alone on its line: covers the next content line
            target = following[index] or index + 1
        rest = match.group("rest")
        reason = _REASON.search(rest)
        expires = _EXPIRES.search(rest)
        declared.append(Declared(
            codes=tuple(c.strip() for c in match.group("codes").split(",") if c.strip()),
            reason=reason.group("reason").strip() if reason else "",
            expires=expires.group("expires") if expires else "",
            source="comment",
            line=index + 1, col=match.start() + 1, target_line=target,
        ))
    return declared


def _next_content_lines(lines: list[str]) -> list[int]:
    """For each line, the 1-based number of the next line after it that is not blank or a
    comment (0 if none): one backward pass, where searching forward from every comment line
    was quadratic in a file of comments."""
    following = [0] * len(lines)
    upcoming = 0
    for index in range(len(lines) - 1, -1, -1):
        following[index] = upcoming
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            upcoming = index + 1
    return following


def _problems(item: Declared, known: frozenset[str], repo: LoadedRepo, today: date) -> tuple[str | None, bool]:
    """(why the suppression is invalid or None, whether it has expired)."""
    if not item.codes:
        return "suppression names no rule: give `rule: CODE` (metadata) or ignore[CODE] (comment)", False
    unknown = [c for c in item.codes if c not in known]
    organisation = [c for c in unknown if c.startswith("ORG")]
    if organisation:
        return (f"rule {', '.join(organisation)} is an organisation rule and cannot be suppressed "
                "in a repo: ignore it in the organisation policy or accept it with a baseline"), False
    if unknown:
        return f"suppression names unknown rule {', '.join(unknown)}: see `svc rules`", False
    mandatory = [c for c in item.codes if repo.policy.is_mandatory(c)]
    if mandatory:
        return f"rule {', '.join(mandatory)} is mandatory in the organisation policy and cannot be suppressed", False
    engine = [c for c in item.codes if is_engine_rule(c)]
    if engine:
        return (f"rule {', '.join(engine)} is one of svc's engine rules and cannot be suppressed: "
                "fix what it reports"), False
    if not item.reason:
        return (f"suppression of {', '.join(item.codes)} has no reason: add "
                + ('reason: "..."' if item.source == "metadata" else 'reason="..."')), False
    if item.expires:
        try:
            expiry = date.fromisoformat(item.expires)
        except ValueError:
            return f"suppression expiry {item.expires!r} is not a date: use YYYY-MM-DD", False
        if expiry < today:
            return None, True
    return None, False


class _Covers:
    """Which valid suppression covers a finding: the first declared that does.

    Indexed by (code, line) for comments and (code, scope) for metadata, so marking F findings
    under S suppressions costs F + S lookups, not F x S checks (3,000 findings under 26,000
    comment suppressions took 10 s).
    """

    def __init__(self, valid: Sequence[Declared], template_path: str) -> None:
        self.valid = valid
        self.template_path = template_path
        self.lines: dict[tuple[str, int], int] = {}
        self.scopes: dict[tuple[str, str], int] = {}
        for index, item in enumerate(valid):
            for code in item.codes:
                if item.source == "comment":
                    self.lines.setdefault((code, item.target_line or 0), index)
                else:
                    self.scopes.setdefault((code, item.scope_path or ""), index)

    def find(self, finding: Finding) -> Declared | None:
        candidates = [self.scopes.get((finding.rule, ""))]
        parts = finding.path.split("/") if finding.path else []
        # A metadata scope covers its own path and everything below it.
        candidates += [self.scopes.get((finding.rule, "/".join(parts[:depth])))
                       for depth in range(1, len(parts) + 1)]
        if finding.file == self.template_path:
            candidates.append(self.lines.get((finding.rule, finding.line)))
        found = [index for index in candidates if index is not None]
        return self.valid[min(found)] if found else None


def apply_suppressions(
    repo: LoadedRepo,
    findings: list[Finding],
    rules: Sequence[Rule],
    *,
    enabled: bool,
    today: date,
) -> list[Finding]:
    """Mark suppressed findings and add SVC003/SVC004 findings for bad suppressions."""
    from svc_serverless.linter.engine import to_finding
    from svc_serverless.rules.engine import suppression_expired, suppression_invalid

    declared = _declared_from_metadata(repo) + _declared_from_comments(repo)
    if not declared:
        return findings
    known = frozenset(rule.code for rule in rules)
    template_path = repo.template.path if repo.template else ""
    valid: list[Declared] = []
    extra: list[Finding] = []
    for item in declared:
        invalid, expired = _problems(item, known, repo, today)
        if not invalid and not expired:
            valid.append(item)
            continue
        # Engine rules: always reported, at error, whichever rules this run was given.
        rule = suppression_invalid.RULE if invalid else suppression_expired.RULE
        message = invalid or (
            f"suppression of {', '.join(item.codes)} expired on {item.expires}: "
            "fix the findings or renew it with a new date and reason"
        )
        extra.append(to_finding(rule, Problem(
            message, file=template_path, line=item.line, col=item.col,
            path=item.scope_path if item.scope_path is not None else f"line-comment:{','.join(item.codes)}",
            subject=f"{item.source}:{','.join(item.codes)}:{item.reason}",
        ), repo, "error"))
    if not enabled:
        return findings + extra
    covers = _Covers(valid, template_path)
    marked: list[Finding] = []
    for finding in findings:
        cover = None
        if not is_engine_rule(finding.rule) and not repo.policy.is_mandatory(finding.rule):
            cover = covers.find(finding)
        if cover is not None:
            finding = replace(finding, suppression=Suppression(cover.reason, cover.expires, cover.source))
        marked.append(finding)
    return marked + extra
