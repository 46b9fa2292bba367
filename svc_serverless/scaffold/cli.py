"""The scaffold's subcommands: `svc new`, `svc update` and `svc check` (later `add`, `adopt`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r} (e.g. --data system=payments)")
    return key, value


def register(sub: Any) -> None:
    """Add the scaffold's subcommands to the `svc` parser's subparsers."""
    new = sub.add_parser(
        "new",
        help="create a new service repository",
        description="Create a complete, deployable service repository that follows every svc rule.",
    )
    new.add_argument("name", help="service name: lower-case kebab-case, 3-40 characters, e.g. billing")
    new.add_argument("--owner", help="owning team (required), e.g. team-billing")
    new.add_argument("--description", help="one-line description of the service")
    new.add_argument("--runtime", choices=("python3.13", "python3.14", "python3.12",
                                              "nodejs22.x", "nodejs24.x"),
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
    new.add_argument("--svc-requirement", metavar="REQUIREMENT",
                     help="what the repo's CI, pre-commit hook and README install svc with "
                          "(default: the policy's scaffold.svc-requirement, else "
                          "svc-serverless==<this svc's version>), e.g. "
                          "'svc-serverless @ git+https://git.example.com/svc@v1.2.0'")
    new.add_argument("--template", metavar="SOURCE",
                     help="the organisation's template: a folder or a git URL[@REF] "
                          "(default: the policy's scaffold.template, else svc's bundled one)")
    new.add_argument("--config", type=Path, metavar="FILE",
                     help="organisation policy file (its scaffold.template and scaffold.svc-requirement are the defaults)")
    new.add_argument("--cache-dir", type=Path, metavar="DIR",
                     help="where git templates are fetched (default: ~/.cache/svc)")
    new.set_defaults(run=_run_new)
    _register_update(sub)
    _register_check(sub)
    _register_adopt(sub)
    _register_add(sub)


def _register_add(sub: Any) -> None:
    add = sub.add_parser(
        "add", help="add a function, workflow or layer to this service repo",
        description=("Add a function, workflow or layer to the service repo holding the current "
                     "folder: its folder (code, dependency manifest, tests) and its wiring in "
                     "template.yaml (log group, alarm, least-privilege policy, triggers)."),
    )
    kinds = add.add_subparsers(dest="kind", required=True, metavar="KIND")
    function = kinds.add_parser("function", help="a Lambda function in functions/NAME/")
    function.add_argument("--trigger", required=True, choices=("api", "queue", "schedule", "event"),
                          help="what invokes it: a route on the HTTP API, its own queue, a "
                               "schedule, or an EventBridge event")
    function.add_argument("--runtime", help="default: the template's Globals.Function.Runtime")
    workflow = kinds.add_parser("workflow", help="a Step Functions workflow in workflows/NAME/")
    workflow.add_argument("--trigger", default="none", choices=("event", "schedule", "none"),
                          help="what starts it (default: none)")
    workflow.add_argument("--runtime", help="the language of its test (default: the template's)")
    layer = kinds.add_parser("layer", help="a Lambda layer in layers/NAME/")
    layer.add_argument("--runtime", help="default: the template's Globals.Function.Runtime")
    for parser in (function, workflow, layer):
        parser.add_argument("name", help="lower-case kebab-case, e.g. send-invoice")
        parser.add_argument("--repo", type=Path, default=Path("."),
                            help="a folder inside the service repo (default: .)")
    for parser in (function, workflow):
        parser.add_argument("--schedule", default="rate(1 hour)",
                            help="with --trigger schedule: rate(...) or cron(...)")
        parser.add_argument("--source", default="", help="with --trigger event: the event source")
        parser.add_argument("--detail-type", default="",
                            help="with --trigger event: the event's detail-type")
    add.set_defaults(run=_run_add)


def _run_add(args: argparse.Namespace) -> int:
    from svc_serverless.scaffold.add.command import AddOptions, add

    return add(AddOptions(
        kind=args.kind, name=args.name, trigger=getattr(args, "trigger", "none"),
        runtime=args.runtime, schedule=getattr(args, "schedule", "rate(1 hour)"),
        source=getattr(args, "source", ""), detail_type=getattr(args, "detail_type", ""),
        path=args.repo,
    ))


def _register_adopt(sub: Any) -> None:
    adopt = sub.add_parser(
        "adopt", help="bring an existing SAM repo under svc (writes only missing files)",
        description=("Write what svc needs beside an existing SAM repo's code: catalog-info.yaml "
                     "(from the template's events and APIs), CODEOWNERS, a README and "
                     ".svc/answers.json. Never overwrites a file."),
    )
    adopt.add_argument("path", nargs="?", type=Path, default=Path("."),
                       help="the repo, or a folder inside it (default: .)")
    adopt.add_argument("--name", help="service name (default: the manifest's, else the folder's)")
    adopt.add_argument("--owner", help="owning team (default: the manifest's or CODEOWNERS')")
    adopt.add_argument("--lifecycle", default="production",
                       choices=("experimental", "production", "deprecated"),
                       help="the manifest's lifecycle (default: production)")
    adopt.add_argument("--dry-run", action="store_true", help="list what would be written")
    adopt.set_defaults(run=_run_adopt)


def _run_adopt(args: argparse.Namespace) -> int:
    from svc_serverless.scaffold.adopt import AdoptOptions, adopt

    return adopt(AdoptOptions(args.path, args.name, args.owner, args.lifecycle, args.dry_run))


def _register_update(sub: Any) -> None:
    update = sub.add_parser(
        "update",
        help="merge the current template into service repositories",
        description=(
            "Render the template again with each repo's recorded answers and merge it with git's "
            "3-way merge into a new branch svc/update-<version>. The merge base is svc's "
            "previous render, kept in the repo's own history. Exit codes: 0 updated or already "
            "current, 1 conflicts (left for you to resolve) or a repo not updated, 2 refused "
            "(nothing changed)."),
    )
    update.add_argument("paths", nargs="*", type=Path,
                        help="service repos (found upward from each path), or folders holding "
                             "them (default: the repo of the current folder)")
    update.add_argument("--repos", type=Path, metavar="FILE",
                        help="file listing git URLs to clone into the cache and update "
                             "(the format of `svc lint --repos`)")
    update.add_argument("--in-place", action="store_true",
                        help="merge into the current branch instead of a new svc/update-* branch")
    update.add_argument("--data", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
                        help="change an answer and render again (e.g. --data lifecycle=production)")
    update.add_argument("--dry-run", action="store_true",
                        help="print the diff the merge would apply and change nothing")
    update.add_argument("--ref", metavar="REF",
                        help="render this branch, tag or commit of a git template (recorded)")
    update.add_argument("--template", metavar="SOURCE",
                        help="switch to another template: a folder or a git URL[@REF] (recorded)")
    update.add_argument("--base", metavar="COMMIT",
                        help="the commit holding svc's unmodified render, for a repo whose "
                             "history has no svc template commit")
    update.add_argument("--push", action="store_true",
                        help="push each updated svc/update-* branch to its remote (never main, "
                             "never forced)")
    update.add_argument("--format", "-f", choices=("text", "json"), default="text",
                        help="output format over many repos (default: text)")
    update.add_argument("--jobs", "-j", type=int, default=0,
                        help="worker processes over many repos (default: one per CPU)")
    update.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="git templates and --repos clones (default: ~/.cache/svc)")
    update.set_defaults(run=_run_update)


def _register_check(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="tell whether a service repository is behind the template",
        description=(
            "Compare the repo's last template render with what this svc renders from its "
            "answers. No merge, no network: fast enough for every CI run. Exit codes: 0 current, "
            "1 behind (run `svc update`), 2 cannot tell (the reason is printed)."),
    )
    check.add_argument("path", nargs="?", type=Path, default=Path("."),
                       help="a service repo, or any folder inside it (default: .)")
    check.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="where git templates were fetched by `svc update` (default: ~/.cache/svc)")
    check.set_defaults(run=_run_check)


def _run_new(args: argparse.Namespace) -> int:
    from svc_serverless.scaffold.create import NewRequest, new_service

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
        svc_requirement=args.svc_requirement,
        template=args.template,
        config=args.config,
        cache_dir=args.cache_dir,
    )
    target = new_service(request)
    print(f"created {target}")
    print(f"next: cd {target} && sam build && sam deploy --guided")
    return 0


def _run_update(args: argparse.Namespace) -> int:
    from svc_serverless.errors import SvcError
    from svc_serverless.scaffold import templates, update_report
    from svc_serverless.scaffold.update import UpdateOptions, update_repo

    if args.push and args.in_place:
        raise SvcError("--push pushes svc's update branch and --in-place makes none: drop one")
    options = UpdateOptions(
        in_place=args.in_place,
        data=dict(args.data),
        dry_run=args.dry_run,
        ref=args.ref,
        template=templates.parse_source(args.template, Path.cwd()) if args.template else None,
        base=args.base,
        push=args.push,
        cache_dir=args.cache_dir,
    )
    paths = list(args.paths)
    if _one_repo(paths, args.repos, args.format):
        with _git_errors():
            outcome = update_repo(paths[0] if paths else Path("."), options)
        return update_report.print_one(outcome)
    if args.base is not None:
        raise SvcError("--base names a commit of one repo: update that repo alone")
    from svc_serverless.scaffold.fleet import update_many

    rows = update_many(paths, args.repos, options, args.jobs)
    if args.format == "json":
        return update_report.print_json(rows)
    return update_report.print_table(rows)


def _one_repo(paths: list[Path], repos: Path | None, output_format: str) -> bool:
    """One repo (a path inside it, or none: the current folder's), shown in full."""
    if repos is not None or len(paths) > 1 or output_format == "json":
        return False
    if not paths:
        return True
    from svc_serverless.scaffold.gitrepo import toplevel

    # A folder that is in no repo is an organisation's folder of checkouts.
    return not paths[0].is_dir() or toplevel(paths[0].resolve()) is not None


def _run_check(args: argparse.Namespace) -> int:
    from svc_serverless.scaffold.check import check_repo, print_verdict

    with _git_errors():
        verdict = check_repo(args.path, args.cache_dir)
    return print_verdict(verdict)


@contextmanager
def _git_errors() -> Iterator[None]:
    """git itself failing (a corrupt repo, a full disk) is the user's to fix, not svc's bug."""
    from svc_serverless.errors import SvcError
    from svc_serverless.scaffold.gitrepo import GitFailed

    try:
        yield
    except GitFailed as err:
        raise SvcError(f"git failed: {err}: fix the repository and run svc again") from None
