"""The repo has no CI configuration.

## What it does
Checks that the repo configures a CI system, i.e. has at least one of
`.github/workflows/*.yml` (or `.yaml`), `.gitlab-ci.yml`, `buildspec.yml` (or `.yaml`),
`.circleci/config.yml`, `Jenkinsfile`, `azure-pipelines.yml`, `bitbucket-pipelines.yml` or
`.codecatalyst/workflows/*.yaml`. The finding is reported at `.github/workflows/ci.yml`, the
file `svc new` would have written.

A repo that deliberately builds elsewhere (an organisation-wide pipeline) opts out in its
`.svc/policy.yaml` with `ignore: [LAY007]`; `svc new --ci none` writes exactly that.

## Why is this bad?
One repo per service only works when each repo tests and deploys itself: CI per service is what
lets a team ship its service without coordinating with the others. Without CI, `svc lint`, the
tests and `sam validate` run only when someone remembers to, and deployments are done by hand
from a laptop.

## Example
```yaml
# my-service/
#   template.yaml
#   functions/...
```

## Use instead
```yaml
# .github/workflows/ci.yml
name: ci
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run --spec svc svc lint .
      - run: sam validate --lint && sam build
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule

CI_FILES = frozenset({
    ".gitlab-ci.yml", "buildspec.yml", "buildspec.yaml", ".circleci/config.yml", "Jenkinsfile",
    "azure-pipelines.yml", "bitbucket-pipelines.yml",
})
# Folders whose YAML files (directly inside) are each a CI workflow.
CI_FOLDERS = (".github/workflows/", ".codecatalyst/workflows/")
SUGGESTED = ".github/workflows/ci.yml"


def has_ci(repo: LoadedRepo) -> bool:
    if any(repo.exists(name) for name in CI_FILES):
        return True
    for folder in CI_FOLDERS:
        for path in repo.files_under(folder):
            rest = path[len(folder):]
            if "/" not in rest and rest.endswith((".yml", ".yaml")):
                return True
    return False


def check(repo: LoadedRepo) -> Iterator[Problem]:
    if not has_ci(repo):
        yield Problem(
            f"this repo has no CI configuration: add {SUGGESTED} (or .gitlab-ci.yml, "
            "buildspec.yml) that runs svc lint, the tests and sam build, or opt out with "
            "`ignore: [LAY007]` in .svc/policy.yaml",
            file=SUGGESTED, line=0, path="ci", subject="ci",
        )


RULE = Rule(
    code="LAY007",
    name="ci-config",
    severity="warning",
    tags=("layout", "ci"),
    doc=__doc__ or "",
    check=check,
)
