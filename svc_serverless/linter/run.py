"""`svc lint` end to end: sources -> per-repo lint (pool, cache) -> org rules -> baseline -> report.

Each stage is a plain function over plain records, so the CLI only builds LintOptions and
returns what `run_lint` returns (the exit code).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.linter.config import Policy
from svc_serverless.linter.discover import Target, current_folder, find_repos
from svc_serverless.linter.result import LintResult, RepoResult
from svc_serverless.linter.rule import AnyRule, Finding

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
    cache_dir: Path | None = None
    use_cache: bool = True
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
    cache_dir: Path | None
    context: str


def organisation_policy(config: Path | None) -> Policy:
    from svc_serverless.linter.custom.organisation import load_organisation

    return load_organisation(config).policy


def lint_job(job: _Job) -> RepoResult:
    """Lint one repo, through the cache when one is given. Runs in a worker process."""
    from svc_serverless.linter.custom.ruleset import ruleset
    from svc_serverless.linter.engine import lint_repo

    target = job.target
    if target.error is not None:
        return RepoResult(name=target.name or target.root.name, path=target.display, error=target.error)
    cache = key = None
    if job.cache_dir is not None:
        from svc_serverless.linter.cache import ResultCache, repo_key

        cache = ResultCache(job.cache_dir)
        key = repo_key(target.root, job.context)
        hit = cache.get(target.root, key)
        if hit is not None:
            return replace(hit, path=target.display, cache_key=key)
    result = lint_repo(
        target.root, job.policy, ruleset(job.policy.custom).repo_rules,
        no_suppressions=job.no_suppressions, cli_select=job.select, cli_ignore=job.ignore,
        display_path=target.display, name=target.name,
    )
    # A crash may be the runner's (memory, a file read mid-write): try again next run.
    if cache is not None and key is not None and result.error is None and not result.crashes:
        cache.put(target.root, key, result)
        result = replace(result, cache_key=key)
    return result


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


def collect_targets(options: LintOptions, cwd: Path) -> list[Target]:
    targets: list[Target] = []
    for path in options.paths:
        targets.extend(find_repos(path, cwd))
    if options.repos_file is not None:
        from svc_serverless.linter.sources import clone_targets

        targets.extend(clone_targets(options.repos_file, _cache_dir(options), cwd))
    return targets


def _cache_dir(options: LintOptions) -> Path:
    from svc_serverless.linter.cache import default_cache_dir

    return options.cache_dir or default_cache_dir()


def _context(options: LintOptions, policy: Policy) -> str:
    """What besides the repo's files changes its result (part of the cache key)."""
    from datetime import date

    return repr((policy, options.select, options.ignore, options.no_suppressions,
                 date.today().isoformat()))


def lint_repos(options: LintOptions, policy: Policy, cwd: Path) -> list[RepoResult]:
    targets = collect_targets(options, cwd)
    if not targets and options.facts_dir is None:
        raise SvcError("nothing to lint: give a repo path, --repos FILE or --facts DIR")
    if options.repos_file is None and targets and all(t.error for t in targets):
        # Only bad paths on the command line: a usage error, not a lint result.
        raise SvcError("; ".join(t.error or "" for t in targets))
    cache_dir = _cache_dir(options) if options.use_cache else None
    context = _context(options, policy)
    jobs = [
        _Job(t, policy, options.select, options.ignore, options.no_suppressions, cache_dir, context)
        for t in targets
    ]
    return run_jobs(jobs, _worker_count(options.jobs, len(jobs)))


def org_findings(
    results: Sequence[RepoResult], policy: Policy, cache_dir: Path | None = None
) -> tuple[list[Finding], int]:
    """The organisation rules over every repo's facts (each rule says how many repos it needs).

    The org pass is a pure function of every repo's facts, the policy and svc's version, so when
    every repo came with a content key and none changed, the last pass's findings are reused.
    """
    import gc

    from svc_serverless.linter.custom.ruleset import ruleset
    from svc_serverless.linter.engine import run_org_rules
    from svc_serverless.rules import find_rule

    org_cache = key = None
    if cache_dir is not None and results and all(r.cache_key for r in results):
        from svc_serverless.linter.cache import OrgCache, org_key

        org_cache, key = OrgCache(cache_dir), org_key(results, repr(policy))
        hit = org_cache.get(key)
        if hit is not None:
            return hit
    facts = [r.facts for r in results if r.facts is not None]
    # Everything loaded so far lives until exit: stop the collector rescanning it (a third of
    # the org pass on 10,000 repos).
    gc.freeze()
    crash_rule = find_rule("SVC001")
    org_rules = ruleset(policy.custom).org_rules
    findings, crashes = run_org_rules(facts, org_rules, policy, crash_rule)  # type: ignore[arg-type]
    if org_cache is not None and key is not None:
        org_cache.put(key, findings, crashes)
    return findings, crashes


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
    from svc_serverless.linter.config import with_cli
    from svc_serverless.linter.custom.organisation import load_organisation

    organisation = load_organisation(options.config)
    known = organisation.rules.all_rules
    options = replace(options, select=check_codes("--select", options.select, known),
                      ignore=check_codes("--ignore", options.ignore, known))
    cwd = current_folder()  # a deleted working folder must not end the run
    policy = organisation.policy
    if options.show_settings:
        from svc_serverless.linter.custom.settings import print_settings

        return print_settings(options, organisation, collect_targets(options, cwd))
    results = lint_repos(options, policy, cwd) if (options.paths or options.repos_file) else []
    if options.facts_dir is not None:
        from svc_serverless.linter.facts import results_from_facts_dir

        # A repo linted live shadows its own published facts (else it "collides" with itself).
        live = {(r.facts.service, r.facts.folder) for r in results if r.facts is not None}
        results += [
            r for r in results_from_facts_dir(options.facts_dir, cwd)
            if r.facts is None or (r.facts.service, r.facts.folder) not in live
        ]
    org, org_crashes = org_findings(
        results, with_cli(policy, options.select, options.ignore),
        _cache_dir(options) if options.use_cache and options.facts_dir is None else None,
    )
    findings = sorted([f for r in results for f in r.findings] + org)
    waivers: list[object] = []
    if organisation.waivers:
        from datetime import date

        from svc_serverless.linter.custom.waivers import apply_waivers

        findings, waivers = apply_waivers(  # type: ignore[assignment]
            findings, organisation.waivers, (r.name for r in results), date.today(),
            enabled=not options.no_suppressions)
    if options.baseline is not None:
        from svc_serverless.linter.baseline import apply_baseline, read_baseline

        findings = apply_baseline(findings, read_baseline(options.baseline), options.baseline.name,
                                  policy.is_mandatory)
    if options.write_baseline is not None:
        from svc_serverless.linter.baseline import write_baseline

        count = write_baseline(options.write_baseline, findings)
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
