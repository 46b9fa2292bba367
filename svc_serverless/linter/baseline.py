"""Baselines: accept today's findings so that only new ones fail.

A baseline is a JSON list of fingerprints. Fingerprints hold no line numbers (edits above a
finding do not make it "new") and include the file and repo (a new violation in another file
is never absorbed by an old one, unlike checkov#7647). The engine's own findings (SVC: a crash,
an unreadable template, an invalid suppression or policy) are never recorded nor accepted: a
repo svc could not check must not pass because it could not be checked yesterday either.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.config import is_engine_rule
from svc_serverless.linter.rule import Finding, Suppression

BASELINE_VERSION = 1


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    entries = sorted(
        {(f.fingerprint, f.rule, f.repo, f.file) for f in findings
         if not f.suppressed and not is_engine_rule(f.rule)}
    )
    data = {
        "version": BASELINE_VERSION,
        "findings": [
            {"fingerprint": fp, "rule": rule, "repo": repo, "file": file}
            for fp, rule, repo, file in entries
        ],
    }
    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise SvcError(f"cannot write baseline {path}: {err.strerror}") from None
    return len(entries)


def read_baseline(path: Path) -> frozenset[str]:
    """The accepted fingerprints. The file may live in a scanned repo (.svc/baseline.json):
    read bounded, a FIFO never blocks, and deep nesting is an invalid baseline, not a crash."""
    from svc_serverless.linter.files import MAX_BASELINE_BYTES, Unreadable, read_file

    try:
        data = json.loads(read_file(path, MAX_BASELINE_BYTES).decode("utf-8-sig"))
    except Unreadable as err:
        why = "No such file or directory" if err.missing else f"it {err.reason}"
        raise SvcError(f"cannot read baseline {path}: {why}; "
                       "create one with --write-baseline") from None
    except (ValueError, RecursionError):
        raise SvcError(f"{path} is not a svc baseline (invalid JSON): "
                       "recreate it with --write-baseline") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(
        data.get("findings"), list
    ):
        raise SvcError(f"{path} is not a svc baseline (version {BASELINE_VERSION}): "
                       "recreate it with --write-baseline")
    return frozenset(
        str(e["fingerprint"]) for e in data["findings"] if isinstance(e, dict) and "fingerprint" in e
    )


def apply_baseline(
    findings: Iterable[Finding], accepted: frozenset[str], name: str,
    mandatory: Callable[[str], bool] = lambda code: False,
) -> list[Finding]:
    """Mark findings already in the baseline as suppressed (kept visible, never failing).

    A baseline is a suppression too: it never hides a rule the organisation made mandatory, nor
    an engine rule (a baseline written by an older svc may still list one).
    """
    reason = Suppression(f"in baseline {name}", source="baseline")
    return [
        replace(f, suppression=reason)
        if f.fingerprint in accepted and not f.suppressed and not mandatory(f.rule)
        and not is_engine_rule(f.rule) else f
        for f in findings
    ]
