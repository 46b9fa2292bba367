"""`svc lint --show-settings`: each repo's effective policy, and where every setting comes from.

For every rule: whether it runs, at what severity, with which options, whether it is mandatory,
and the layer that decided each (built-in, the organisation policy, the repo's policy, the
command line): the layer that last changed the setting, in svc's order of precedence. Nothing
is linted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.config import Policy, is_engine_rule, policy_for_repo, with_cli
from svc_serverless.linter.rule import AnyRule, OrgRule

if TYPE_CHECKING:
    from svc_serverless.linter.custom.organisation import Organisation
    from svc_serverless.linter.discover import Target
    from svc_serverless.linter.run import LintOptions

BUILTIN, ORGANISATION, REPO, CLI = "built-in", "org policy", "repo policy", "command line"


def print_settings(options: LintOptions, organisation: Organisation, targets: Sequence[Target]) -> int:
    if not targets:
        raise SvcError("--show-settings needs a repo path: `svc lint REPO --show-settings`")
    sys.stdout.write("\n".join(repo_settings(options, organisation, t) for t in targets))
    return 0


def repo_settings(options: LintOptions, organisation: Organisation, target: Target) -> str:
    from svc_serverless.linter.custom.local import local_rules, repo_policy_check

    name = target.name or target.root.name
    lines = [f"{name} ({target.display})"]
    if target.error is not None:
        return "\n".join([*lines, f"  cannot read it: {target.error}", ""])
    org = organisation.policy
    rules: tuple[AnyRule, ...] = organisation.rules.all_rules
    try:
        repo = policy_for_repo(target.root, org, repo_policy_check(organisation.rules.repo_rules))
        rules += local_rules(target.root, repo, organisation.rules.repo_rules)
    except SvcError as err:
        lines.append(f"  repo policy invalid (SVC005), linted with the organisation policy alone: {err}")
        repo = org
    cli = with_cli(repo, options.select, options.ignore)
    layers = ((BUILTIN, Policy()), (ORGANISATION, org), (REPO, repo), (CLI, cli))
    source = organisation.source or "none"
    lines.append(f"  organisation policy: {source}")
    lines.append(f"  {'CODE':<8} {'ENABLED':<22} {'SEVERITY':<24} {'MANDATORY':<20} OPTIONS")
    for rule in rules:
        lines.append("  " + _row(rule, layers))
    return "\n".join(lines) + "\n"


def _row(rule: AnyRule, layers: tuple[tuple[str, Policy], ...]) -> str:
    code = rule.code
    # Organisation rules follow the organisation policy and the command line only.
    used = tuple(layer for layer in layers if not (isinstance(rule, OrgRule) and layer[0] == REPO))
    enabled = _decided(used, lambda p: p.enabled(code))
    severity = _decided(used, lambda p: p.severity_of(code, rule.severity))
    final = used[-1][1]
    if is_engine_rule(code):
        enabled, severity = (True, BUILTIN + ", engine"), ("error", BUILTIN + ", engine")
    mandatory = f"yes ({ORGANISATION})" if final.is_mandatory(code) else "no"
    shown_enabled = f"{'yes' if enabled[0] else 'no'} ({enabled[1]})"
    shown_severity = f"{severity[0]} ({severity[1]})"
    return (f"{code:<8} {shown_enabled:<22} {shown_severity:<24} {mandatory:<20} "
            f"{_options(rule, used)}").rstrip()


def _decided(layers: Sequence[tuple[str, Policy]], read: Any) -> tuple[Any, str]:
    value, source = read(layers[0][1]), layers[0][0]
    for name, policy in layers[1:]:
        here = read(policy)
        if here != value:
            value, source = here, name
    return value, source


def _options(rule: AnyRule, layers: Sequence[tuple[str, Policy]]) -> str:
    if rule.options is None:
        return "-"
    parts = []
    for key in (rule.options.get("properties") or {}):
        value, source = _decided(layers, lambda p, k=key: p.option(rule.code, k))
        if value is not None:
            parts.append(f"{key}={json.dumps(value)} ({source})")
    return ", ".join(parts) or "(defaults)"
