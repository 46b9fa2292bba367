"""`svc lint` end to end: sources -> per-repo lint (pool) -> names -> org rules -> baseline -> report.

Each stage is a plain function over plain records, so the CLI only builds LintOptions and
returns what `run_lint` returns (the exit code). Every repo is linted afresh on every run: there
is no result cache (linter/cache.py says why).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from svc_serverless.errors import SvcError
from svc_serverless.linter.config import Policy
from svc_serverless.linter.discover import (
    Target,
    current_folder,
    distinct_names,
    find_repos,
    repo_place,
    unique_targets,
)
from svc_serverless.linter.result import LintResult, RepoResult
from svc_serverless.linter.rule import AnyRule, Finding

if TYPE_CHECKING:
    from svc_serverless.linter.custom.organisation import Organisation

EXIT_OK, EXIT_FINDINGS = 0, 1
POOL_THRESHOLD = 4  # below this many repos a process pool costs more than it saves
PROGRESS_THRESHOLD = 50


@dataclass(frozen=True)
class LintOptions:
    paths: tuple[Path, ...] = ()
    repos_file: Path | None = None
    facts_dir: Path | None = None
    config: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    output_format: str = "text"
    output: Path | None = None
    outputs: tuple[tuple[str, Path], ...] = ()  # more (format, file) reports of the same run
    fail_on: str = "error"
    no_suppressions: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    jobs: int = 0
    cache_dir: Path | None = None  # where --repos clones are kept between runs
    use_cache: bool = True  # False: clone into a temporary folder, removed when the run ends
    show_settings: bool = False
    quiet: bool = False  # only the findings (human formats)
    statistics: bool = False  # counts per rule in place of the text/concise report
    color: str = "auto"  # auto, always, never


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs to lint one repo; picklable."""

    target: Target
    policy: Policy
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    no_suppressions: bool


def organisation_policy(config: Path | None) -> Policy:
    from svc_serverless.linter.custom.organisation import load_organisation

    return load_organisation(config).policy


def lint_job(job: _Job) -> RepoResult:
    """Lint one repo. Runs in a worker process."""
    target = job.target
    name = target.name or target.root.name
    if target.error is not None:
        return RepoResult(name=name, path=target.display, error=target.error)
    if target.lock is None:
        return _lint_target(job)
    from svc_serverless.linter.cache import locked

    # A clone is read under a shared lock: another run may fetch into it, but not mid-read.
    try:
        with locked(target.lock, shared=True):
            return _lint_target(job)
    except OSError as err:  # TimeoutError included
        return RepoResult(name=name, path=target.display,
                          error=f"cannot read the clone of {target.display}: {err}")


def _lint_target(job: _Job) -> RepoResult:
    from svc_serverless.linter.custom.ruleset import ruleset
    from svc_serverless.linter.engine import lint_repo

    return lint_repo(
        job.target.root, job.policy, ruleset(job.policy.custom).repo_rules,
        no_suppressions=job.no_suppressions, cli_select=job.select, cli_ignore=job.ignore,
        display_path=job.target.display, name=job.target.name,
    )


def _worker_count(requested: int, jobs: int) -> int:
    if requested > 0:
        return min(requested, jobs)
    return max(1, min(os.cpu_count() or 1, jobs))


def _progress_wanted(total: int) -> bool:
    return total >= PROGRESS_THRESHOLD and sys.stderr.isatty() and not os.environ.get("CI")


def run_jobs(jobs: Sequence[_Job], workers: int) -> list[RepoResult]:
    """Lint every job, in input order; in a process pool when it pays off."""
    advance: Callable[[], None] = lambda: None
    progress = None
    if _progress_wanted(len(jobs)):
        from rich.progress import Progress

        progress = Progress(transient=True, console=None)
        task = progress.add_task("linting repos", total=len(jobs))
        advance = lambda: progress.advance(task)
        progress.start()
    try:
        if workers <= 1 or len(jobs) < POOL_THRESHOLD:
            results = []
            for job in jobs:
                results.append(lint_job(job))
                advance()
            return results
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: workers inherit the imported rules instead of importing them again.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        chunk = max(1, min(64, len(jobs) // (workers * 8)))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = []
            for result in pool.map(lint_job, jobs, chunksize=chunk):
                results.append(result)
                advance()
            return results
    finally:
        if progress is not None:
            progress.stop()


def collect_targets(options: LintOptions, cwd: Path, clones: Path | None = None) -> list[Target]:
    """Every repo named, each once; `clones` is where --repos clones go (default: the cache)."""
    targets: list[Target] = []
    for path in options.paths:
        targets.extend(find_repos(path, cwd))
    if options.repos_file is not None:
        from svc_serverless.linter.sources import clone_targets

        targets.extend(clone_targets(options.repos_file, clones or _cache_dir(options)))
    return unique_targets(targets)


def _cache_dir(options: LintOptions) -> Path:
    from svc_serverless.linter.cache import default_cache_dir

    return options.cache_dir or default_cache_dir()


@contextmanager
def clone_folder(options: LintOptions) -> Iterator[Path | None]:
    """Where this run's clones go (None without --repos): the cache folder, or with --no-cache
    a temporary folder removed when the run ends."""
    if options.repos_file is None or options.use_cache:
        yield None if options.repos_file is None else _cache_dir(options)
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="svc-clones-") as folder:
        yield Path(folder)


def lint_repos(
    options: LintOptions, policy: Policy, cwd: Path, clones: Path | None = None
) -> list[RepoResult]:
    targets = collect_targets(options, cwd, clones)
    if not targets and options.facts_dir is None:
        raise SvcError("nothing to lint: give a repo path, --repos FILE or --facts DIR")
    if options.repos_file is None and targets and all(t.error for t in targets):
        # Only bad paths on the command line: a usage error, not a lint result.
        raise SvcError("; ".join(t.error or "" for t in targets))
    jobs = [_Job(t, policy, options.select, options.ignore, options.no_suppressions) for t in targets]
    return run_jobs(jobs, _worker_count(options.jobs, len(jobs)))


def org_findings(results: Sequence[RepoResult], policy: Policy) -> tuple[list[Finding], int]:
    """The organisation rules over every repo's facts (each rule says how many repos it needs)."""
    import gc

    from svc_serverless.linter.custom.ruleset import ruleset
    from svc_serverless.linter.engine import run_org_rules
    from svc_serverless.rules import find_rule

    facts = [r.facts for r in results if r.facts is not None]
    # Everything loaded so far lives until exit: stop the collector rescanning it (a third of
    # the org pass on 10,000 repos).
    gc.freeze()
    crash_rule = find_rule("SVC001")
    org_rules = ruleset(policy.custom).org_rules
    return run_org_rules(facts, org_rules, policy, crash_rule)  # type: ignore[arg-type]


def check_codes(
    flag: str, codes: tuple[str, ...], rules: Sequence[AnyRule] | None = None
) -> tuple[str, ...]:
    """--select/--ignore codes, upper-cased; an empty or unknown one is a usage error.

    Prefix matching makes a typo dangerous: `--ignore ""` (an unset CI variable) would match
    every rule and turn the gate off, and `--select KMS2` would silently run nothing. The engine
    rules always run: `--select SN001` means "of my rules, only SN001", but ignoring SVC (or a
    prefix such as S that covers it) is refused.
    """
    from svc_serverless.linter.config import engine_override, touches_engine
    from svc_serverless.linter.ruledocs import code_suggestion
    from svc_serverless.rules import ALL_RULES

    known = ALL_RULES if rules is None else rules
    checked = []
    for code in codes:
        wanted = code.strip().upper()
        if not wanted or not any(rule.code.startswith(wanted) for rule in known):
            hint = code_suggestion(wanted, known) if wanted else ""
            raise SvcError(f"{flag} {code!r} matches no rule: give a code or prefix such as "
                           f"SN001, SN or KMS (`svc rules` lists them){hint}")
        if flag == "--ignore" and touches_engine(wanted):
            raise SvcError(engine_override(f"--ignore {code!r}", wanted))
        checked.append(wanted)
    return tuple(checked)


def run_lint(options: LintOptions) -> int:
    from svc_serverless.linter.custom.organisation import load_organisation

    organisation = load_organisation(options.config)
    known = organisation.rules.all_rules
    options = replace(options, select=check_codes("--select", options.select, known),
                      ignore=check_codes("--ignore", options.ignore, known))
    cwd = current_folder()  # a deleted working folder must not end the run
    with clone_folder(options) as clones:
        if options.show_settings:
            from svc_serverless.linter.custom.settings import print_settings

            return print_settings(options, organisation, collect_targets(options, cwd, clones))
        return _lint_and_report(options, organisation, cwd, clones)


def _lint_and_report(
    options: LintOptions, organisation: Organisation, cwd: Path, clones: Path | None
) -> int:
    from svc_serverless.linter.config import with_cli

    policy = organisation.policy
    known = organisation.rules.all_rules
    results = lint_repos(options, policy, cwd, clones) if (options.paths or options.repos_file) else []
    if options.facts_dir is not None:
        from svc_serverless.linter.facts import results_from_facts_dir

        # A repo linted live shadows its own published facts (else it "collides" with itself).
        live = {(r.facts.service, r.facts.folder) for r in results if r.facts is not None}
        results += [
            r for r in results_from_facts_dir(options.facts_dir, cwd)
            if r.facts is None or (r.facts.service, r.facts.folder) not in live
        ]
    # Names are made unique before the organisation rules, which report by name.
    results = distinct_names(results)
    org, org_crashes = org_findings(results, with_cli(policy, options.select, options.ignore))
    findings = sorted([f for r in results for f in r.findings] + org)
    waivers: list[object] = []
    if organisation.waivers:
        from datetime import date

        from svc_serverless.linter.custom.waivers import apply_waivers

        findings, waivers = apply_waivers(  # type: ignore[assignment]
            findings, organisation.waivers, (r.name for r in results), date.today(),
            enabled=not options.no_suppressions)
    places = {r.name: repo_place(r.path) for r in results}
    if options.baseline is not None:
        from svc_serverless.linter.baseline import apply_baseline, read_baseline

        findings = apply_baseline(findings, read_baseline(options.baseline), places,
                                  policy.is_mandatory)
    if options.write_baseline is not None:
        from svc_serverless.linter.baseline import write_baseline

        count = write_baseline(options.write_baseline, findings, places)
        if not options.quiet:
            print(f"svc: wrote {count} findings to baseline {options.write_baseline}",
                  file=sys.stderr)
        return EXIT_OK
    result = LintResult(
        repos=tuple(results), findings=tuple(findings), org_crashes=org_crashes,
        fail_on=options.fail_on, root=".", rules=known, waivers=tuple(waivers),
    )
    write_report(result, options)
    unread = any(r.error for r in results) and options.fail_on != "never"
    return EXIT_FINDINGS if result.failing() or unread else EXIT_OK


def write_report(result: LintResult, options: LintOptions) -> None:
    """The report in `--format` to stdout or `--output`, and one per `--output-format`.

    Every report is rendered before any is written (a reporter failing leaves no file half
    updated next to others already rewritten), and files before stdout (an error is the last
    line, never a full report that looks like a finished run).
    """
    from svc_serverless.linter.report import render

    color = wants_color(options.color, options.output is None, sys.stdout.isatty(), os.environ)
    main_format = "statistics" if options.statistics else options.output_format
    reports: list[tuple[Path | None, str]] = [
        (path, render(fmt, result)) for fmt, path in options.outputs
    ]
    reports.append((options.output, render(main_format, result, color=color, quiet=options.quiet)))
    for path, text in reports:
        if path is None:
            sys.stdout.write(text)
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            raise SvcError(f"cannot write report to {path}: {err.strerror}") from None


def wants_color(choice: str, to_stdout: bool, tty: bool, env: Mapping[str, str]) -> bool:
    """`--color` wins; with `auto`, NO_COLOR wins over FORCE_COLOR, which wins over the tty test.

    Only the report on stdout is coloured automatically: a file is read later, elsewhere.
    FORCE_COLOR=0 is the common "do not force" spelling, so it forces nothing.
    """
    if choice != "auto":
        return choice == "always"
    if not to_stdout or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return tty
