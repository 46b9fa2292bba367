"""A file every service repo must have is missing: README, catalog-info.yaml, CODEOWNERS.

## What it does
Checks that each file of the policy's `layout.required_files` exists (default: `README.md`,
`catalog-info.yaml`, `CODEOWNERS`), one finding per missing file, named by the file, at line 0.
Where GitHub and GitLab accept a file in several places, any of them counts:

- `README.md` is satisfied by any README at the root (`README`, `README.md`, `README.rst`,
  `readme.txt`...);
- `CODEOWNERS` by `CODEOWNERS`, `.github/CODEOWNERS`, `.gitlab/CODEOWNERS` or `docs/CODEOWNERS`.

Other required files must exist exactly where the policy says. Whether `catalog-info.yaml` is
valid is LAY006's check.

## Why is this bad?
In an organisation of many small repos, these files are how people and tools find their way:
the README says what the service does and how to run it, `catalog-info.yaml` says who owns it and
what it publishes and consumes (the service catalog and svc's organisation rules read it), and
CODEOWNERS routes every pull request to the owning team. A repo without them is a service nobody
can find, own or review.

## Example
```yaml
# my-service/
#   template.yaml
#   functions/create-order/app.py
```

## Use instead
```yaml
# my-service/
#   README.md
#   catalog-info.yaml
#   .github/CODEOWNERS        (* @orders-team)
#   template.yaml
#   functions/create-order/app.py
```

## Fix
`svc lint --fix` writes a short `README.md`, and `catalog-info.yaml` (from the events and APIs
the template declares) and `CODEOWNERS` when the owning team is known from the other of the two.
When neither names the owner, nothing is guessed: `svc adopt --owner TEAM` writes both. Another
file the policy requires is not written (svc cannot know its content). An existing file is never
overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Finding, Problem, Rule

if TYPE_CHECKING:
    from svc_serverless.fix.context import FixContext

CODEOWNERS_PLACES = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")
FIXES = {
    "README": "add a README.md that says what the service does, who owns it and how to run it",
    "CODEOWNERS": "add .github/CODEOWNERS with the owning team (`* @team`)",
    "catalog-info.yaml": "add the service manifest catalog-info.yaml (`svc new` writes one; "
                         "`svc rules LAY006` shows its fields)",
}


def check(repo: LoadedRepo) -> Iterator[Problem]:
    for required in repo.policy.layout.required_files:
        if _present(repo, required):
            continue
        kind = _kind(required)
        fix = FIXES.get(kind, f"add {required}")
        yield Problem(f"{required} is missing: {fix}", file=required, line=0,
                      path=required, subject=required)


def _kind(required: str) -> str:
    name = required.rsplit("/", 1)[-1]
    if name.upper().split(".")[0] == "README":
        return "README"
    return "CODEOWNERS" if name == "CODEOWNERS" else required


def _present(repo: LoadedRepo, required: str) -> bool:
    kind = _kind(required)
    if kind == "README":
        return any("/" not in f and f.upper().split(".")[0] == "README" for f in repo.files)
    if kind == "CODEOWNERS":
        return any(repo.exists(place) for place in CODEOWNERS_PLACES)
    return repo.exists(required)


def _fix(ctx: FixContext, findings: Sequence[Finding]) -> None:
    from svc_serverless.fix.layout import fix_required_files

    fix_required_files(ctx, findings)


RULE = Rule(
    code="LAY005",
    name="required-files",
    severity="error",
    tags=("layout", "ownership"),
    doc=__doc__ or "",
    check=check,
    fix=_fix,
    fix_safety="safe",
)
