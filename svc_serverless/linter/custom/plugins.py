"""Python plugins: rules a schema cannot express, from installed packages the policy names.

A plugin is an installed distribution with an entry point in the group `svc.rules`; the object
it names is a Rule or OrgRule record (or a list or tuple of them), the same records as svc's
built-in rules. svc loads only the entry points the organisation policy lists by name
(`plugins: [acme_svc_rules]`): installing a package never makes svc run its code by surprise,
and a repo policy cannot name plugins at all. A plugin rule that raises on a repo is SVC001 on
that repo, as a built-in rule would be.
"""

from __future__ import annotations

from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.rule import AnyRule, OrgRule, Rule

GROUP = "svc.rules"


def load_plugin(name: str, where: str) -> list[AnyRule]:
    """The rules of the entry point `name` in group svc.rules; SvcError when it cannot be used."""
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise SvcError(f"{where}: plugin {name!r} is not installed (no entry point {name!r} in "
                       f"group {GROUP!r}): install its package into svc's environment, or remove "
                       "it from plugins")
    try:
        loaded = found[0].load()
    except Exception as err:  # noqa: BLE001 - a broken plugin is a configuration error
        raise SvcError(f"{where}: plugin {name!r} failed to load: {err.__class__.__name__}: "
                       f"{_short(str(err))}") from None
    items: list[Any] = list(loaded) if isinstance(loaded, (list, tuple)) else [loaded]
    rules: list[AnyRule] = []
    for item in items:
        if not isinstance(item, (Rule, OrgRule)):
            raise SvcError(f"{where}: plugin {name!r} gives a {type(item).__name__}, not a Rule "
                           "or OrgRule record (svc_serverless.linter.rule)")
        if item.check is None:
            raise SvcError(f"{where}: plugin {name!r} rule {item.code} has no check")
        rules.append(item)
    if not rules:
        raise SvcError(f"{where}: plugin {name!r} gives no rules")
    return rules


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
