"""The repo holds more than one CloudFormation or SAM template.

## What it does
Checks that the repo has exactly one template, `template.yaml` (or `.yml`, `.json`) at its root,
and reports every other one at its file:

- a second root template (`template.yaml` and `template.yml` side by side);
- files named like templates anywhere else (`template.yaml`, `x.template.yaml`,
  `x.template.json`);
- any other `.yaml`, `.yml` or `.json` file that reads as a template: it declares
  `AWSTemplateFormatVersion`, the SAM transform `AWS::Serverless-2016-10-31`, or a top-level
  `Resources:` with `Type: AWS::...` entries.

Files in hidden folders (`.github/` CI, `.aws-composer/` and other tool state), under
`workflows/` (state machine definitions) and tool output (`.aws-sam/`, `cdk.out/`,
`node_modules/`) are not looked at. Files over 2 MiB are not read.

One exception: plain CloudFormation templates directly in `pipeline/` (such as
`pipeline/codepipeline.yaml` or `pipeline/github-deploy-roles.yaml`, which `svc new` writes) are
the service's deploy infrastructure: its delivery pipeline and the roles its CI deploys with.
They deploy the service rather than being part of it, so they may sit beside `template.yaml`.
One that uses the SAM transform, or sits deeper than `pipeline/`, is reported: that is a second
service stack.

## Why is this bad?
One repo per service, one stack per repo: the template is the single description of everything
the service deploys. A second template is a second stack with its own lifecycle (a "shared"
VPC, a certificate, a pipeline, another service), deployed by hand in an order nobody wrote
down, and every svc rule about this service sees only half of it. Resources another stack must
own belong to that stack's own repo; resources this service owns belong in its one template.

## Example
```yaml
# my-service/
#   template.yaml
#   infra/vpc.yaml           AWSTemplateFormatVersion: "2010-09-09" ...
#   template.yml             an older copy
```

## Use instead
```yaml
# my-service/
#   template.yaml            the service's only stack
# network-service/           a repo of its own
#   template.yaml
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svc_serverless.linter.model import TEMPLATE_NAMES, LoadedRepo
from svc_serverless.linter.rule import Problem, Rule

EXTENSIONS = (".yaml", ".yml", ".json")
# Where the service keeps the templates that deploy it (not part of the service's stack).
DEPLOY_FOLDER = "pipeline"
# Not templates, and not worth reading: lock files, package and tool configuration.
NEVER_TEMPLATES = frozenset({
    "package.json", "package-lock.json", "tsconfig.json", "composer.json", "pnpm-lock.yaml",
    "catalog-info.yaml", "samconfig.yaml", "samconfig.yml", "samconfig.json", ".gitlab-ci.yml",
    "buildspec.yml", "buildspec.yaml", "docker-compose.yml", "docker-compose.yaml",
    ".pre-commit-config.yaml", "mkdocs.yml", "example-pattern.json", "launch.json",
    "settings.json", "cdk.json", "answers.json",
})
_NAMED = re.compile(r"(^|/)(template\.(ya?ml|json)|[^/]+\.template\.(ya?ml|json))$")
_FORMAT_VERSION = re.compile(r"""(?m)^\s*["']?AWSTemplateFormatVersion["']?\s*:""")
_SAM_TRANSFORM = re.compile(r"""AWS::Serverless-2016-10-31""")
_YAML_RESOURCES = re.compile(r"(?m)^Resources:\s*$")
_RESOURCE_TYPE = re.compile(r"""(?m)^\s+["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::""")
_JSON_RESOURCES = re.compile(r'"Resources"\s*:\s*\{')
_JSON_TYPE = re.compile(r'"Type"\s*:\s*"AWS::[A-Za-z0-9]+::')


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None:
        return
    skipped = f"{repo.policy.layout.workflows}/"
    for path in repo.files:
        if path == template.path or not path.endswith(EXTENSIONS) or _hidden(path):
            continue
        if path in TEMPLATE_NAMES:
            yield _problem(path, f"a second root template next to {template.path}")
        elif _NAMED.search(path):
            yield _problem(path, "a template outside the repo root")
        elif (not path.startswith(skipped) and _reads_as_template(repo, path)
              and not _deploy_infrastructure(repo, path)):
            yield _problem(path, "a CloudFormation template")


def _deploy_infrastructure(repo: LoadedRepo, path: str) -> bool:
    """pipeline/<file>: plain CloudFormation that deploys the service (its pipeline, its CI's
    deploy roles). With the SAM transform it would be a second service stack."""
    folder, _, name = path.partition("/")
    if folder != DEPLOY_FOLDER or "/" in name:
        return False
    text = repo.text(path)
    return text is not None and _SAM_TRANSFORM.search(text) is None


def _hidden(path: str) -> bool:
    """In a hidden folder: CI (.github), editor and tool state (.aws-composer, .idea)."""
    return path.startswith(".") or "/." in path.rsplit("/", 1)[0]


def _reads_as_template(repo: LoadedRepo, path: str) -> bool:
    if path.rsplit("/", 1)[-1] in NEVER_TEMPLATES:
        return False
    text = repo.text(path)  # None for binary files and files over 2 MiB
    if text is None:
        return False
    if _FORMAT_VERSION.search(text):
        return True
    if _SAM_TRANSFORM.search(text) and "Transform" in text:
        return True
    if path.endswith(".json"):
        return _JSON_RESOURCES.search(text) is not None and _JSON_TYPE.search(text) is not None
    return _YAML_RESOURCES.search(text) is not None and _RESOURCE_TYPE.search(text) is not None


def _problem(path: str, what: str) -> Problem:
    return Problem(
        f"{path} is {what}: keep one template per service repo, template.yaml at its root "
        "(merge these resources into it, or move them to the repo of the service that owns them)",
        file=path, line=0, path=path, subject=path,
    )


RULE = Rule(
    code="LAY009",
    name="single-template",
    severity="error",
    tags=("layout", "share-nothing"),
    doc=__doc__ or "",
    check=check,
)
