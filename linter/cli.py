"""The `svc` command: a thin dispatcher over scaffold/, linter/ and rules/.

`main(argv) -> int` is the whole interface, so tests call it directly. User-facing problems
raise SvcError anywhere below; they are turned into one line here and nowhere else.
Imports of the heavy parts stay inside the subcommand functions: `svc lint` as a CI gate
must not pay for cookiecutter, GitPython or rich unless it uses them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from linter import __version__
from linter.errors import SvcError

# Exit codes (DESIGN.md §5): findings and breakage never share a code.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors go through the one handler."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SvcError(f"{message} (see `{self.prog} --help`)")


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r} (e.g. --data system=payments)")
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="svc",
        description="Create and lint share-nothing serverless microservice repositories.",
    )
    parser.add_argument("--version", action="version", version=f"svc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    new = sub.add_parser(
        "new",
        help="create a new service repository",
        description="Create a complete, deployable service repository that follows every svc rule.",
    )
    new.add_argument("name", help="service name: lower-case kebab-case, 3-40 characters, e.g. billing")
    new.add_argument("--owner", help="owning team (required), e.g. team-billing")
    new.add_argument("--description", help="one-line description of the service")
    new.add_argument("--runtime", choices=("python3.13", "python3.12", "nodejs22.x"),
                     help="Lambda runtime (default: python3.13)")
    new.add_argument("--architecture", choices=("arm64", "x86_64"), help="Lambda architecture (default: arm64)")
    new.add_argument("--ci", choices=("github", "gitlab", "codebuild", "none"),
                     help="CI system to configure (default: github)")
    new.add_argument("--no-workflow", action="store_true", help="do not create the Step Functions workflow")
    new.add_argument("--output-dir", "-o", type=Path, default=Path("."),
                     help="folder to create the service folder in (default: current folder)")
    new.add_argument("--no-git", action="store_true", help="do not run git init and the initial commit")
    new.add_argument("--data", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
                     help="any other template answer (keys: see the README); unknown keys are an error")

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
                      help="service repos, or folders holding service repos (default: .)")
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
    lint.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    lint.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error",
                      help="lowest severity that makes the exit code 1 (default: error)")
    lint.add_argument("--no-suppressions", action="store_true",
                      help="ignore every suppression (audit mode): suppressed findings count again")
    lint.add_argument("--baseline", type=Path, metavar="FILE",
                      help="findings recorded in FILE are reported as suppressed; only new ones fail")
    lint.add_argument("--write-baseline", type=Path, metavar="FILE",
                      help="record every current finding in FILE (then exit 0)")
    lint.add_argument("--jobs", "-j", type=int, default=0,
                      help="worker processes (default: one per CPU; 1 disables the pool)")
    lint.add_argument("--cache-dir", type=Path, metavar="DIR",
                      help="per-repo result cache and clone cache (default: ~/.cache/svc)")
    lint.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")

    rules = sub.add_parser("rules", help="list the rules, or print one rule's documentation",
                           description="List every rule, or print the documentation of one.")
    rules.add_argument("code", nargs="?", help="a rule code (e.g. SN001) or name")

    facts = sub.add_parser(
        "facts",
        help="print the facts organisation rules use, as JSON",
        description="Print one repo's facts (service, owner, events, APIs, ...) as versioned JSON.",
    )
    facts.add_argument("path", nargs="?", type=Path, default=Path("."), help="a service repo (default: .)")
    facts.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    return parser


def _run_new(args: argparse.Namespace) -> int:
    from scaffold.create import NewRequest, new_service

    request = NewRequest(
        name=args.name,
        owner=args.owner,
        description=args.description,
        runtime=args.runtime,
        architecture=args.architecture,
        ci=args.ci,
        workflow=not args.no_workflow,
        output_dir=args.output_dir,
        git=not args.no_git,
        data=dict(args.data),
        interactive=sys.stdin.isatty() and sys.stdout.isatty(),
    )
    target = new_service(request)
    print(f"created {target}")
    print(f"next: cd {target} && sam build && sam deploy --guided")
    return EXIT_OK


def _run_lint(args: argparse.Namespace) -> int:
    from linter.run import LintOptions, run_lint

    options = LintOptions(
        paths=tuple(args.paths) or ((Path("."),) if not (args.repos or args.facts) else ()),
        repos_file=args.repos,
        facts_dir=args.facts,
        config=args.config,
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        output_format=args.format,
        output=args.output,
        fail_on=args.fail_on,
        no_suppressions=args.no_suppressions,
        baseline=args.baseline,
        write_baseline=args.write_baseline,
        jobs=args.jobs,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
    )
    return run_lint(options)


def _run_rules(args: argparse.Namespace) -> int:
    from linter.ruledocs import print_rule, print_rule_list

    if args.code:
        print_rule(args.code)
    else:
        print_rule_list()
    return EXIT_OK


def _run_facts(args: argparse.Namespace) -> int:
    from linter.facts import facts_json_for_path

    text = facts_json_for_path(args.path)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as err:
            raise SvcError(f"cannot write facts to {args.output}: {err.strerror}") from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


COMMANDS = {"new": _run_new, "lint": _run_lint, "rules": _run_rules, "facts": _run_facts}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return COMMANDS[args.command](args)
    except SvcError as err:
        print(f"svc: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("svc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the one place internal errors become exit 3
        import traceback

        traceback.print_exc()
        print(f"svc: internal error: {err.__class__.__name__}: {err} (please report this)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
