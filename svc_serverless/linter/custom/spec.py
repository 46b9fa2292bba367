"""What an organisation adds to svc's rules, as a small picklable record.

It travels inside the Policy to every worker (any start method) and into every cache key:
rule files are named by path and identified by a digest of their content, plugins by entry
point name and installed version. `linter/custom/ruleset.py` turns it into rules, once per
process.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSetSpec:
    files: tuple[tuple[str, str], ...] = ()  # (path to a rule file or folder, as shown to users)
    plugins: tuple[str, ...] = ()  # entry point names in the group svc.rules
    where: str = ""  # the policy file that lists them, as shown
    digest: str = ""  # of the rule files' content and the plugins' versions

    def __bool__(self) -> bool:
        return bool(self.files or self.plugins)
