"""The scaffold's subcommands: `svc new` (and later `update`, `check`, `add`, `adopt`)."""

from __future__ import annotations

import argparse
import sys
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
    new.add_argument("--config", type=Path, metavar="FILE",
                     help="the organisation policy file (for its scaffold.svc-requirement)")

    new.set_defaults(run=_run_new)


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
        config=args.config,
    )
    target = new_service(request)
    print(f"created {target}")
    print(f"next: cd {target} && sam build && sam deploy --guided")
    return 0


