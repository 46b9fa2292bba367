"""A function's folder does not have exactly one dependency manifest for its runtime.

## What it does
Looks at the folder of each zip function whose code is in the repo (its `CodeUri`, or `Code` of an
`AWS::Lambda::Function`) and checks the files directly in it:

| runtime (`Runtime`, Globals merged) | manifests |
|---|---|
| `python*` | `requirements.txt`, `pyproject.toml` (when it declares dependencies), `Pipfile`, `setup.py` |
| `nodejs*` | `package.json` |
| `java*` | `pom.xml`, `build.gradle`, `build.gradle.kts` |
| `go*`, or `provided*` with `Metadata.BuildMethod: go1.x` | `go.mod` |
| `provided*` with `BuildMethod: rust-cargolambda` | `Cargo.toml` |
| `dotnet*` | `*.csproj`, `*.fsproj` |
| `ruby*` | `Gemfile` |

It reports a folder with none (saying so when the function would fall back on a manifest at the
repo root), a folder with two or more (e.g. `requirements.txt` and a `Pipfile`), and each manifest
of another runtime (a `package.json` next to a Python handler). For a runtime it cannot tell
(`provided*` built with a makefile), it only reports two or more manifests, or none while the repo
root has one. Only the folder's own top level counts: manifests in its `tests/` subfolder (such as
`functions/x/tests/requirements.txt` for test-only tools) and lock files are not manifests.
Image functions are skipped: their Dockerfile installs what they need.

## Why is this bad?
One manifest per function gives each function exactly its own dependencies: small packages,
fast cold starts, and an upgrade of one function's library that cannot break another. With no
manifest the function relies on whatever the build happens to find (or on the root manifest,
which bundles every function's dependencies into every function). Two manifests disagree sooner
or later, and `sam build` silently picks one of them.

## Example
```yaml
# functions/create-order/app.py
# functions/create-order/requirements.txt
# functions/create-order/Pipfile          <- a second manifest
# functions/send-email/app.py             <- no manifest: uses the root requirements.txt
# requirements.txt
Resources:
  SendEmailFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/send-email/
      Runtime: python3.12
```

## Use instead
```yaml
# functions/create-order/app.py
# functions/create-order/requirements.txt
# functions/send-email/app.py
# functions/send-email/requirements.txt
# functions/send-email/tests/test_app.py
Resources:
  SendEmailFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/send-email/
      Runtime: python3.12
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.layout._code import CodeRef, anchor, code_refs, is_dir

MANIFESTS: dict[str, tuple[str, ...]] = {
    "python": ("requirements.txt", "pyproject.toml", "Pipfile", "setup.py"),
    "nodejs": ("package.json",),
    "java": ("pom.xml", "build.gradle", "build.gradle.kts"),
    "go": ("go.mod",),
    "rust": ("Cargo.toml",),
    "dotnet": (".csproj", ".fsproj"),  # suffixes: the project file is named after the project
    "ruby": ("Gemfile",),
}
RUNTIME_PREFIXES = ("python", "nodejs", "java", "go", "dotnet", "ruby")
BUILD_METHODS = {"go1.x": "go", "rust-cargolambda": "rust"}
# A pyproject.toml that only configures tools (ruff, pytest) declares no dependencies.
_DECLARES_DEPENDENCIES = re.compile(r"(?m)^\s*(dependencies\s*=|\[tool\.poetry\.dependencies\])")


def family_of_file(name: str) -> str | None:
    for family, names in MANIFESTS.items():
        if name in names or (family == "dotnet" and name.endswith(names)):
            return family
    return None


def family_of_function(ref: CodeRef) -> str | None:
    runtime = ref.resource.properties.get("Runtime")
    if isinstance(runtime, str):
        for prefix in RUNTIME_PREFIXES:
            if runtime.startswith(prefix):
                return prefix
    method = ref.resource.metadata.get("BuildMethod")
    if isinstance(method, str):
        if method.startswith("dotnet"):
            return "dotnet"
        return BUILD_METHODS.get(method)
    return None


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None or template.error is not None:
        return
    functions: dict[str, CodeRef] = {}  # one finding per folder, even if functions share it
    for ref in code_refs(template):
        if (ref.kind == "function" and ref.form == "local" and not ref.image
                and is_dir(repo, ref.local)):
            functions.setdefault(ref.local, ref)
    if not functions:
        return
    manifests = _manifests_by_folder(repo, {*functions, ""})
    for folder, ref in functions.items():
        yield from _check_folder(repo, folder, ref, manifests)


def _manifests_by_folder(repo: LoadedRepo, folders: set[str]) -> dict[str, list[str]]:
    """The manifest file names directly in each of `folders`, in one pass over the files."""
    found: dict[str, list[str]] = {folder: [] for folder in folders}
    for path in repo.files:
        parent, _, name = path.rpartition("/")
        if parent in found and family_of_file(name) is not None:
            found[parent].append(name)
    return found


def _counts(repo: LoadedRepo, folder: str, name: str) -> bool:
    if name != "pyproject.toml":
        return True
    text = repo.text(f"{folder}/{name}" if folder else name)
    return text is None or _DECLARES_DEPENDENCIES.search(text) is not None


def _check_folder(
    repo: LoadedRepo, folder: str, ref: CodeRef, manifests: dict[str, list[str]]
) -> Iterator[Problem]:
    family = family_of_function(ref)
    names = [n for n in manifests[folder] if _counts(repo, folder, n)]
    own = [n for n in names if family is None or family_of_file(n) == family]
    what = f"function '{ref.resource.logical_id}'"
    shown = f"{folder}/" if folder else "the repo root"
    for name in names:
        if name not in own:
            runtime = ref.resource.properties.get("Runtime")
            yield Problem(
                f"{_join(folder, name)} is a {family_of_file(name)} manifest, but {what} runs "
                f"{runtime}: remove it, or give that code a function of its own",
                file=_join(folder, name), path=_join(folder, name), subject=name,
            )
    if len(own) > 1:
        yield _folder_problem(
            repo, ref, folder,
            f"{what} has {len(own)} dependency manifests in {shown} ({', '.join(sorted(own))}): "
            "keep exactly one", ",".join(sorted(own)),
        )
    elif not own and (family is not None or (folder and _root_manifests(repo, manifests))):
        yield _folder_problem(repo, ref, folder, _none_message(repo, what, folder, family,
                                                               manifests), "none")


def _root_manifests(repo: LoadedRepo, manifests: dict[str, list[str]]) -> list[str]:
    return [n for n in manifests[""] if _counts(repo, "", n)]


def _none_message(
    repo: LoadedRepo, what: str, folder: str, family: str | None, manifests: dict[str, list[str]]
) -> str:
    wanted = MANIFESTS[family][0] if family else "its dependency manifest"
    if family == "dotnet":
        wanted = "its .csproj"
    root = [n for n in _root_manifests(repo, manifests) if family is None or family_of_file(n) == family]
    relies = f" (it would rely on the repo root's {', '.join(root)})" if folder and root else ""
    where = f"{folder}/" if folder else "the repo root"
    return f"{what} has no dependency manifest in {where}{relies}: add {wanted} to {where}"


def _folder_problem(repo: LoadedRepo, ref: CodeRef, folder: str, message: str,
                    subject: str) -> Problem:
    if folder:
        return Problem(message, file=folder, path=folder, subject=subject)
    template = repo.template
    assert template is not None  # only called for functions of the template
    return Problem(message, node=anchor(template, ref), path=ref.path, subject=subject)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


RULE = Rule(
    code="LAY003",
    name="one-dependency-manifest",
    severity="error",
    tags=("layout", "dependencies"),
    doc=__doc__ or "",
    check=check,
)
