"""What a repo's own policy (`.svc/policy.yaml`) may add: rule files of its own, and options.

A repo may add rules (`rules: [rules/]`, relative to its `.svc/` folder, inside the repo, never
through a link); they run on that repo only, under its policy, and can never weaken the
organisation's: their codes must be new, they cannot be facts rules (those are organisation
checks), and a repo cannot name plugins, grant itself waivers or mark rules mandatory. Any problem makes the repo
policy invalid: SVC005, and the repo is linted with the organisation policy alone.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.config import REPO_POLICY_PATH, Policy
from svc_serverless.linter.rule import AnyRule, Rule

# Settings only the organisation policy may hold: each binds or loosens more than one repo.
_ORGANISATION_ONLY = {
    "mandatory": ("rules are made mandatory only in the organisation policy (a repo cannot "
                  "bind itself, and would only seem to)"),
    "plugins": "plugins are loaded only from the organisation policy",
    "waivers": "waivers are granted only in the organisation policy, by the platform team",
}


def repo_policy_check(rules: Sequence[AnyRule]) -> Callable[[dict[str, Any], str], None]:
    """The extra checks of a repo policy file (passed to config.policy_for_repo)."""
    def check(data: dict[str, Any], source: str) -> None:
        from svc_serverless.linter.custom.options import check_options

        for key, why in _ORGANISATION_ONLY.items():
            if key in data:
                line = position(next(k for k in data if k == key))[0]
                raise SvcError(f"{source}:{line}: {why}: remove {key} from {REPO_POLICY_PATH}")
        check_options(data, source, rules)

    return check


def local_rules(root: Path, policy: Policy, known: Sequence[AnyRule]) -> tuple[Rule, ...]:
    """The rules of the repo policy's rule files; SvcError for anything svc will not run."""
    if not policy.rule_files:
        return ()
    from svc_serverless.linter.custom.build import build
    from svc_serverless.linter.custom.codes import refuse_duplicates
    from svc_serverless.linter.custom.rulefile import read_rules, rule_files

    added: list[tuple[AnyRule, str]] = []
    for entry in policy.rule_files:
        rel = posixpath.normpath(posixpath.join(".svc", entry))
        if posixpath.isabs(entry) or rel == ".." or rel.startswith("../"):
            raise SvcError(f"{REPO_POLICY_PATH}: rules entry {entry!r} is outside the repo: give "
                           "a path inside it, relative to .svc/")
        _refuse_links(root, rel)
        for file, shown in rule_files(root / rel, rel):
            _refuse_links(root, shown)
            for definition in read_rules(file, shown):
                if definition.target == "facts":
                    raise SvcError(f"{definition.where}: rule {definition.code} applies to facts: "
                                   "facts rules are organisation checks, put it in the "
                                   "organisation policy's rules")
                added.append((build(definition), definition.where))
    refuse_duplicates([(r, "rule " + r.code) for r in known] + added)
    return tuple(r for r, _ in added if isinstance(r, Rule))


def _refuse_links(root: Path, rel: str) -> None:
    """A scanned repo's link could point at any file of the runner: never follow one."""
    path = root
    for part in rel.split("/"):
        path = path / part
        if path.is_symlink():
            raise SvcError(f"{rel} is a symbolic link: svc does not follow links; make it a "
                           "regular file or folder")
