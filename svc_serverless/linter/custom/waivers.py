"""Waivers: the organisation accepts one rule's findings in one repo (or one resource of it).

```yaml
waivers:
  - rule: KMS002
    repo: legacy-billing        # the repo's name as svc reports it
    resource: OldTable          # optional: only this resource's findings
    reason: "migrating to the service key, PLAT-123"
    owner: team-billing
    expires: 2027-06-30
```

Unlike a suppression in a repo, a waiver lives in the organisation policy: the platform team
grants it, it names who owns the debt and until when, and the repo cannot grant it to itself.
`repo` is matched against the repo's name as every report shows it (its folder, or the name in
its git URL), not the service name in catalog-info.yaml, which two repos can both claim
(ORG001): a waiver must never cover a repo it was not written for. Every field but `resource`
is required, and the expiry is a date: on that day the waiver still holds, the day after it
suppresses nothing and becomes finding SVC004 on the waived repo (in runs that lint that repo),
so the debt comes back to its owner. The engine's own rules (SVC) can never be waived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.config import engine_override, is_engine_rule, touches_engine
from svc_serverless.linter.rule import AnyRule, Finding, Problem, Suppression

REQUIRED = ("rule", "repo", "reason", "owner", "expires")
KEYS = (*REQUIRED, "resource")


@dataclass(frozen=True)
class Waiver:
    rule: str
    repo: str
    resource: str
    reason: str
    owner: str
    expires: str
    line: int  # in the organisation policy
    source: str  # the organisation policy, as shown

    @property
    def scope(self) -> str:
        return f"{self.repo}/{self.resource}" if self.resource else self.repo

    def covers(self, finding: Finding) -> bool:
        if finding.rule != self.rule or finding.repo != self.repo:
            return False
        if not self.resource:
            return True
        place = f"Resources/{self.resource}"
        return finding.path == place or finding.path.startswith(place + "/")


@dataclass(frozen=True)
class WaiverUse:
    """An active waiver of this run and how many findings it accepted (for the reports)."""

    waiver: Waiver
    findings: int


def read_waivers(data: Mapping[str, Any], source: str, rules: Iterable[AnyRule]) -> tuple[Waiver, ...]:
    """The policy's waivers, each checked; SvcError `POLICY:LINE: ...` for the first bad one."""
    known = {rule.code for rule in rules}
    waivers = []
    for item in data.get("waivers") or ():
        line = position(item)[0]
        unknown = sorted(str(k) for k in item if k not in KEYS)
        if unknown:
            raise SvcError(f"{source}:{line}: waiver has unknown key {unknown[0]!r}: a waiver has "
                           f"{', '.join(KEYS)}")
        values = {key: str(item.get(key) or "").strip() for key in KEYS}
        for key in REQUIRED:
            if not values[key]:
                raise SvcError(f"{source}:{line}: waiver has no {key}: every waiver needs rule, "
                               "repo, reason, owner and expires (YYYY-MM-DD)")
        code = values["rule"]
        if touches_engine(code):
            raise SvcError(f"{source}:{line}: {engine_override(f'a waiver of {code}', code)}")
        if code not in known:
            raise SvcError(f"{source}:{line}: waiver names unknown rule {code}: give a rule's full "
                           "code (`svc rules` lists them)")
        try:
            date.fromisoformat(values["expires"])
        except ValueError:
            raise SvcError(f"{source}:{line}: waiver expiry {values['expires']!r} is not a date: "
                           "use YYYY-MM-DD") from None
        waivers.append(Waiver(code, values["repo"], values["resource"], values["reason"],
                              values["owner"], values["expires"], line, source))
    return tuple(waivers)


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], repos: Iterable[str], today: date,
    enabled: bool = True,
) -> tuple[list[Finding], list[WaiverUse]]:
    """Mark waived findings; add SVC004 for each expired waiver of a repo in this run.

    `enabled` is False in audit mode (`--no-suppressions`): nothing is waived, but expired
    waivers are still reported.
    """
    in_run = set(repos)
    active = [w for w in waivers if date.fromisoformat(w.expires) >= today]
    counts = dict.fromkeys(active, 0)
    marked: list[Finding] = []
    for finding in findings:
        if enabled and not finding.suppressed and not is_engine_rule(finding.rule):
            waiver = next((w for w in active if w.covers(finding)), None)
            if waiver is not None:
                counts[waiver] += 1
                finding = replace(finding, suppression=Suppression(
                    f"{waiver.reason} (waiver owned by {waiver.owner})", waiver.expires, "waiver"))
        marked.append(finding)
    marked += [_expired(w) for w in waivers if w not in counts and w.repo in in_run]
    uses = [WaiverUse(w, counts[w]) for w in active if w.repo in in_run]
    return sorted(marked), uses


def _expired(waiver: Waiver) -> Finding:
    from svc_serverless.linter.engine import make_finding
    from svc_serverless.rules.engine import suppression_expired

    message = (f"waiver of {waiver.rule} for {waiver.scope} (owner {waiver.owner}) in "
               f"{waiver.source}:{waiver.line} expired on {waiver.expires}: fix the findings, or "
               "renew the waiver with a new date and reason")
    return make_finding(suppression_expired.RULE, Problem(
        message, path=f"waiver/{waiver.rule}/{waiver.resource}",
        subject=f"waiver:{waiver.rule}:{waiver.scope}:{waiver.expires}",
    ), waiver.repo, "", "error")
