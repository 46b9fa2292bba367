"""Baselines: accept today's findings so that only new ones fail.

A baseline file says whether it was written by a run over one repo (`single_repo`), and holds
one entry per accepted finding: the repo's place in the run that wrote it (its path relative to
the folder svc ran in, or its URL without credentials), the finding's fingerprint, and its rule
and file for a human reading the file.

Fingerprints identify a finding within its repo (rule, file, logical place, value) and hold
neither line numbers (an edit above a finding does not make it "new") nor the checkout folder's
name (a repo's `.svc/baseline.json` works whether CI checks it out as `billing` or `src`).
Which repo a finding is in is the entry's `repo`:

- a baseline written by a run over one repo is that repo's baseline: a run over one repo
  matches its entries by fingerprint alone, wherever and under whatever name it is checked out;
- any other pairing matches (repo, fingerprint), so one repo's accepted finding never absorbs
  the same violation new in another repo, whatever the two folders are called.

The engine's own findings (SVC: a crash, an unreadable template, an invalid suppression or
policy) are never recorded nor accepted: a repo svc could not check must not pass because it
could not be checked yesterday either.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.config import is_engine_rule
from svc_serverless.linter.files import MAX_BASELINE_BYTES
from svc_serverless.linter.rule import Finding, Suppression

BASELINE_VERSION = 2


@dataclass(frozen=True)
class Baseline:
    """The accepted findings of one baseline file, as (repo place, fingerprint) pairs."""

    name: str
    single_repo: bool
    entries: frozenset[tuple[str, str]]


def write_baseline(path: Path, findings: Iterable[Finding], places: Mapping[str, str]) -> int:
    """Record every unsuppressed finding; `places` maps each repo name of the run to its place."""
    entries = sorted(
        {(places.get(f.repo, f.repo), f.fingerprint, f.rule, f.file)
         for f in findings if not f.suppressed and not is_engine_rule(f.rule)}
    )
    data = {
        "version": BASELINE_VERSION,
        "single_repo": len(places) == 1,
        "findings": [
            {"repo": repo, "fingerprint": fp, "rule": rule, "file": file}
            for repo, fp, rule, file in entries
        ],
    }
    _write_atomically(path, json.dumps(data, indent=2) + "\n")
    return len(entries)


def _write_atomically(path: Path, text: str) -> None:
    """Write a sibling temp file (never following a link) and rename it over `path`.

    An interrupted write leaves the old baseline whole, and a link planted at the temp name
    cannot redirect the write: it is removed, never followed.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # left by a killed run with our pid, or planted
            tmp.unlink()
            fd = os.open(tmp, flags, 0o666)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise SvcError(f"cannot write baseline {path}: {err.strerror}") from None


def read_baseline(path: Path) -> Baseline:
    """The accepted findings. The file may live in a scanned repo (.svc/baseline.json): read
    bounded, a FIFO never blocks, and deep nesting is an invalid baseline, not a crash."""
    from svc_serverless.linter.files import Unreadable, read_file

    regenerate = f"regenerate it with --write-baseline {path}"
    try:
        raw = read_file(path, MAX_BASELINE_BYTES)
    except Unreadable as err:
        why = "No such file or directory" if err.missing else f"it {err.reason}"
        raise SvcError(f"cannot read baseline {path}: {why}; "
                       "create one with --write-baseline") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SvcError(f"{path} is not a svc baseline (invalid JSON): {regenerate}") from None
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version < BASELINE_VERSION:
        raise SvcError(f"baseline {path} has version {version}, whose fingerprints include the "
                       f"checkout folder's name; this svc reads version {BASELINE_VERSION}: "
                       f"{regenerate}")
    findings = data.get("findings") if isinstance(data, dict) else None
    single_repo = data.get("single_repo") if isinstance(data, dict) else None
    if version != BASELINE_VERSION or not isinstance(findings, list) or not isinstance(single_repo, bool):
        raise SvcError(f"{path} is not a svc baseline (version {BASELINE_VERSION}): {regenerate}")
    entries = set()
    for entry in findings:
        if not (isinstance(entry, dict) and isinstance(entry.get("repo"), str)
                and isinstance(entry.get("fingerprint"), str)):
            raise SvcError(f"{path} is not a svc baseline (an entry has no `repo` and "
                           f"`fingerprint`): {regenerate}")
        entries.add((entry["repo"], entry["fingerprint"]))
    return Baseline(path.name, single_repo, frozenset(entries))


def apply_baseline(
    findings: Iterable[Finding], baseline: Baseline, places: Mapping[str, str],
    mandatory: Callable[[str], bool] = lambda code: False,
) -> list[Finding]:
    """Mark findings already in the baseline as suppressed (kept visible, never failing).

    `places` maps each repo name of the run to its place. A run over one repo with a one-repo
    baseline matches by fingerprint alone (the baseline may have been written in a checkout of
    another name). A baseline is a suppression too: it never hides a rule the organisation
    made mandatory, nor an engine rule (a baseline written by an older svc may still list one).
    """
    reason = Suppression(f"in baseline {baseline.name}", source="baseline")
    if baseline.single_repo and len(places) <= 1:
        accepted = {fp for _, fp in baseline.entries}

        def known(finding: Finding) -> bool:
            return finding.fingerprint in accepted
    else:
        def known(finding: Finding) -> bool:
            place = places.get(finding.repo, finding.repo)
            return (place, finding.fingerprint) in baseline.entries

    return [
        replace(f, suppression=reason)
        if not f.suppressed and not mandatory(f.rule) and not is_engine_rule(f.rule)
        and known(f) else f
        for f in findings
    ]
