"""The `svc` command: composes the subcommands each package registers, and handles errors.

`main(argv) -> int` is the whole interface, so tests call it directly. User-facing problems
raise SvcError anywhere below; they are turned into one line here and nowhere else.
Each package owns its commands (`scaffold.cli`: new; `linter.cli`: lint, rules, facts) and
imports its heavy parts inside the command functions: `svc lint` as a CI gate must not pay
for cookiecutter, GitPython or rich unless it uses them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from svc_serverless import __version__
from svc_serverless.errors import SvcError, did_you_mean

# Exit codes (docs/architecture.md): findings and breakage never share a code.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors go through the one handler.

    A mistyped command, choice or flag gets the closest valid one as a suggestion, and every
    error names the help of the command it is about (`svc lint --help`, not `svc --help`).
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SvcError(f"{message} (see `{self.prog} --help`)")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # Unknown flags surface here, in the top parser, after the subcommand parsed the
            # rest: name the subcommand's flags and help, where the typo was made.
            owner = self._subcommand(parsed)
            flags = [s for a in owner._actions for s in a.option_strings]
            first = next((e for e in extras if e.startswith("-")), extras[0])
            hint = did_you_mean(first.split("=", 1)[0], flags) if first.startswith("-") else ""
            owner.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return parsed

    def _subcommand(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
                if isinstance(chosen, argparse.ArgumentParser):
                    return chosen
        return self

    def _check_value(self, action: argparse.Action, value: object) -> None:
        if action.choices is not None and value not in action.choices:
            choices = [str(choice) for choice in action.choices]
            raise argparse.ArgumentError(
                action, f"invalid choice: {value!r} (choose from {', '.join(choices)})"
                        f"{did_you_mean(str(value), choices)}")


def build_parser() -> argparse.ArgumentParser:
    from svc_serverless.linter import cli as linter_cli
    from svc_serverless.scaffold import cli as scaffold_cli

    parser = Parser(
        prog="svc",
        description="Create and lint share-nothing serverless microservice repositories.",
    )
    parser.add_argument("--version", action="version", version=f"svc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    scaffold_cli.register(sub)
    linter_cli.register(sub)
    return parser


def quiet_libraries() -> None:
    """Keep libraries' logging and warnings off the user's terminal.

    With no handler configured, Python prints any library's WARNING records to stderr
    (GitPython's "Git informed while fetching: ..." on every cached clone), mixed into svc's
    own one-line errors and into CI logs. svc reports through its exit code and reports only,
    so the records go to a handler that drops them; warnings go through logging the same way.
    """
    import logging

    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())
    logging.captureWarnings(True)


def main(argv: Sequence[str] | None = None) -> int:
    quiet_libraries()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        code: int = args.run(args)
        return code
    except SvcError as err:
        from svc_serverless.linter.report.safe import log_line  # messages quote hostile input

        print(f"svc: error: {log_line(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("svc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the one place internal errors become exit 3
        import traceback

        traceback.print_exc()
        from svc_serverless.linter.report.safe import log_line

        print(f"svc: internal error: {log_line(f'{err.__class__.__name__}: {err}')} "
              "(please report this)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
