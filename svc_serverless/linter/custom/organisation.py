"""The organisation policy (`--config FILE`), with its rules, plugins, options and waivers.

Everything is read and checked here, in the parent, before any repo is linted: a bad rule
file, an unknown plugin, an invalid option or waiver is one line `FILE:LINE: ...` and exit 2.
Rule paths are relative to the policy file's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.config import Policy, apply, read_policy_file
from svc_serverless.linter.custom.ruleset import RuleSet, builtin, make_spec, ruleset
from svc_serverless.linter.custom.waivers import Waiver


@dataclass(frozen=True)
class Organisation:
    policy: Policy
    rules: RuleSet
    waivers: tuple[Waiver, ...] = ()
    source: str = ""  # the policy file as given ("" when there is none)
    data: dict[str, Any] = field(default_factory=dict)  # as read, for --show-settings


def load_organisation(config: Path | None) -> Organisation:
    if config is None:
        return Organisation(Policy(), builtin())
    try:
        exists = config.exists()  # not is_file(): a pipe (`--config <(...)`) is fine
    except OSError as err:  # e.g. a folder on the way that cannot be searched
        raise SvcError(f"cannot read policy file {config}: {err.strerror}") from None
    if not exists:
        raise SvcError(f"policy file {config} does not exist: check the --config path")
    source = str(config)
    data = read_policy_file(config)
    entries = []
    for entry in data.get("rules", ()):
        line = position(entry)[0]
        if Path(entry).is_absolute():
            entries.append((Path(entry), str(entry)))
        else:
            entries.append((config.parent / entry, _shown(config, entry)))
        if not entries[-1][0].exists():
            raise SvcError(f"{source}:{line}: rule path {entry} does not exist (rules are "
                           "relative to the policy file)")
    spec = make_spec(entries, [str(p) for p in data.get("plugins", ())], source)
    rules = ruleset(spec)
    from svc_serverless.linter.custom.options import check_options
    from svc_serverless.linter.custom.waivers import read_waivers

    check_options(data, source, rules.all_rules)
    waivers = read_waivers(data, source, rules.all_rules)
    policy = replace(apply(Policy(), data, organisation=True), custom=spec)
    return Organisation(policy, rules, waivers, source, data)


def _shown(config: Path, entry: str) -> str:
    folder = config.parent.as_posix()
    return entry if folder in ("", ".") else f"{folder}/{entry}"


def organisation_rules(config: Path | None) -> RuleSet:
    """The rules an organisation policy adds to svc's (for `svc rules --config`)."""
    return load_organisation(config).rules
