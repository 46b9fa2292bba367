"""The linter's subcommands: `svc lint`, `svc rules` and `svc facts`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError

FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "markdown", "html")


def register(sub: Any) -> None:
    """Add the linter's subcommands to the `svc` parser's subparsers."""
    lint = sub.add_parser(
        "lint",
        help="check one or many service repositories",
        description=(
            "Check service repositories against the share-nothing, KMS and layout rules, and an "
            "organisation's repositories against each other. Exit codes: 0 nothing at or above "
            "--fail-on, 1 findings at or above it, 2 usage or configuration error, 3 internal error."
        ),
    )
    lint.add_argument("paths", nargs="*", type=Path,
                      help="service repos, folders holding service repos, or a repo's template file "
                           "(default: the repo around the current folder, found upward)")
    lint.add_argument("--repos", type=Path, metavar="FILE",
                      help="file listing git URLs to clone and lint (one per line, or YAML with branches)")
    lint.add_argument("--facts", type=Path, metavar="DIR",
                      help="run the organisation rules over facts files (from `svc facts`) in DIR")
    lint.add_argument("--config", type=Path, metavar="FILE", help="organisation policy file (YAML)")
    lint.add_argument("--select", action="append", default=[], metavar="CODE",
                      help="run only these rules (code or prefix, e.g. SN or KMS002); repeatable")
    lint.add_argument("--ignore", action="append", default=[], metavar="CODE",
                      help="do not run these rules (code or prefix); repeatable")
    lint.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default: text)")
    lint.add_argument("--quiet", "-q", action="store_true",
                      help="print only the findings: no summary, no clean-repo count")
    lint.add_argument("--statistics", action="store_true",
                      help="print how many findings each rule has instead of the findings "
                           "(text and concise formats)")
    lint.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour the text report: auto (default) colours a terminal unless "
                           "NO_COLOR is set, or anything when FORCE_COLOR is set")
    lint.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    lint.add_argument("--output-format", action="append", default=[], metavar="FORMAT:FILE",
                      help="also write the report in FORMAT to FILE, from the same run "
                           "(e.g. sarif:svc.sarif); repeatable")
    lint.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error",
                      help="lowest severity that makes the exit code 1 (default: error)")
    lint.add_argument("--no-suppressions", action="store_true",
                      help="ignore every suppression (audit mode): suppressed findings count again")
    lint.add_argument("--baseline", type=Path, metavar="FILE",
                      help="findings recorded in FILE are reported as suppressed; only new ones fail")
    lint.add_argument("--write-baseline", type=Path, metavar="FILE",
                      help="record every current finding in FILE (then exit 0)")
    lint.add_argument("--jobs", "-j", type=jobs_count, default=0, metavar="N",
                      help="worker processes (default 0: one per CPU; 1 disables the pool)")
    lint.add_argument("--cache-dir", type=Path, metavar="DIR",
                      help="where --repos keeps its clones between runs (default: ~/.cache/svc)")
    lint.add_argument("--no-cache", action="store_true",
                      help="--repos clones into a temporary folder, removed when the run ends")
    lint.add_argument("--fix", action="store_true",
                      help="apply the rules' safe fixes, then report what remains "
                           "(refuses a git tree with uncommitted changes)")
    lint.add_argument("--unsafe-fixes", action="store_true",
                      help="with --fix: also apply fixes that may change deployed behaviour")
    lint.add_argument("--dry-run", action="store_true",
                      help="with --fix: print the changes as a unified diff, write nothing")
    lint.add_argument("--allow-dirty", action="store_true",
                      help="with --fix: fix a git tree that has uncommitted changes")
    lint.add_argument("--show-settings", action="store_true",
                      help="print each repo's effective policy (every rule: enabled, severity, "
                           "options, mandatory, and where each setting comes from), lint nothing")

    rules = sub.add_parser(
        "rules", help="list the rules, print one rule's documentation, or test rule files",
        description=("List every rule, or print the documentation of one. `svc rules test "
                     "[FILES]` runs the examples of custom rule files (exit 1 if one fails)."),
    )
    rules.add_argument("code", nargs="*",
                       help="a rule code (e.g. SN001) or name; or `test` then rule files or folders")
    rules.add_argument("--config", type=Path, metavar="FILE",
                       help="organisation policy file: include its custom and plugin rules")

    facts = sub.add_parser(
        "facts",
        help="print the facts organisation rules use, as JSON",
        description="Print one repo's facts (service, owner, events, APIs, ...) as versioned JSON.",
    )
    facts.add_argument("path", nargs="?", type=Path, default=Path("."), help="a service repo (default: .)")
    facts.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    lint.set_defaults(run=_run_lint)
    rules.set_defaults(run=_run_rules)
    facts.set_defaults(run=_run_facts)


def _run_lint(args: argparse.Namespace) -> int:
    from svc_serverless.linter.run import LintOptions, run_lint

    if args.statistics and args.format not in ("text", "concise"):
        raise SvcError(f"--statistics prints a table of counts, not a {args.format} report: "
                       "use it with --format text or concise (see `svc lint --help`)")
    paths = tuple(args.paths)
    if not paths and not (args.repos or args.facts):
        from svc_serverless.linter.discover import current_folder, default_paths

        paths = default_paths(current_folder())
    options = LintOptions(
        paths=paths,
        repos_file=args.repos,
        facts_dir=args.facts,
        config=args.config,
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        output_format=args.format,
        output=args.output,
        outputs=output_formats(args.output_format, args.output),
        fail_on=args.fail_on,
        no_suppressions=args.no_suppressions,
        baseline=args.baseline,
        write_baseline=args.write_baseline,
        jobs=args.jobs,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        show_settings=args.show_settings,
        quiet=args.quiet,
        statistics=args.statistics,
        color=args.color,
    )
    if args.fix:
        from svc_serverless.fix.apply import FixOptions, run_fix

        return run_fix(options, FixOptions(unsafe=args.unsafe_fixes, dry_run=args.dry_run,
                                           allow_dirty=args.allow_dirty))
    if args.unsafe_fixes or args.dry_run or args.allow_dirty:
        raise SvcError("--unsafe-fixes, --dry-run and --allow-dirty go with --fix")
    return run_lint(options)


def jobs_count(value: str) -> int:
    """`--jobs N`: 0 (one per CPU) or a positive whole number; anything else is a usage error."""
    try:
        count = int(value, 10)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of worker processes: give 0 (one per CPU) or a "
            "positive whole number")
    return count


def output_formats(values: list[str], output: Path | None) -> tuple[tuple[str, Path], ...]:
    """`--output-format FORMAT:FILE` values as (format, file); a bad one is a usage error.

    Two reports into one file would leave only the last, so each file may be named once,
    `--output` included.
    """
    outputs: list[tuple[str, Path]] = []
    seen = {os.path.abspath(output)} if output is not None else set()
    for value in values:
        fmt, colon, name = value.partition(":")
        if not colon or fmt not in FORMATS or not name:
            raise SvcError(f"--output-format {value!r} is not FORMAT:FILE with FORMAT one of "
                           f"{', '.join(FORMATS)} (e.g. sarif:svc.sarif)")
        if os.path.abspath(name) in seen:
            raise SvcError(f"--output-format {value!r}: {name} is already written by another "
                           "option; give each report its own file")
        seen.add(os.path.abspath(name))
        outputs.append((fmt, Path(name)))
    return tuple(outputs)


def _run_rules(args: argparse.Namespace) -> int:
    from svc_serverless.linter.ruledocs import print_rule, print_rule_list

    if args.code[:1] == ["test"]:
        from svc_serverless.linter.custom.testing import run_rule_tests

        return run_rule_tests([Path(p) for p in args.code[1:]], args.config)
    if len(args.code) > 1:
        raise SvcError(f"give one rule code, not {len(args.code)} (see `svc rules --help`)")
    rules = None
    if args.config is not None:
        from svc_serverless.linter.custom.organisation import organisation_rules

        rules = organisation_rules(args.config).all_rules
    if args.code:
        print_rule(args.code[0], rules)
    else:
        print_rule_list(rules)
    return 0


def _run_facts(args: argparse.Namespace) -> int:
    from svc_serverless.linter.facts import facts_json_for_path

    text = facts_json_for_path(args.path)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as err:
            raise SvcError(f"cannot write facts to {args.output}: {err.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
