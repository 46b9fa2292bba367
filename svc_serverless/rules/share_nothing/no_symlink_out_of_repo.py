"""A symlink in the repo points outside it.

## What it does
Reports every symbolic link of the repo (outside `.git`, `node_modules`, `.aws-sam` and other
tool folders) whose target is an absolute path, a home folder, or a relative path that climbs
out of the repo (directly or through another link), at the link's own path. svc reads links
from the repo listing and never follows them.

## Why is this bad?
A link out of the repo makes the build depend on whatever happens to be at that path on the
machine that builds it: another repo's checkout, a developer's home folder. `sam build`,
bundlers and Docker follow the link, so code that this repo neither contains nor reviews ships
with the service, and the build breaks everywhere else.

## Example
```text
functions/orders/shared -> ../../../platform-shared/python
```

## Use instead
```text
# Copy what the service needs into the repo (a layer in layers/), or depend on a published,
# versioned package in the function's dependency manifest. Links inside the repo are fine:
functions/orders/common -> ../../layers/common/python/common
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import parent, resolve_path


def check(repo: LoadedRepo) -> Iterator[Problem]:
    for link, target in repo.listing.symlinks:
        if not target:
            continue  # unreadable link: nothing to judge
        where = resolve_path(repo, parent(link), target)
        if where.rel is None:
            yield Problem(
                f"symlink {link} -> {target} {where.reason}: builds that follow it ship files "
                "this repo does not own; copy them into the repo or depend on a published package",
                file=link, path=link, subject=target,
            )


RULE = Rule(
    code="SN010",
    name="no-symlink-out-of-repo",
    severity="error",
    tags=("share-nothing", "repo"),
    doc=__doc__ or "",
    check=check,
)
