"""A dependency manifest pulls code from another repo or from outside this one.

## What it does
Reads every dependency manifest in the repo (not only in `functions/`): `requirements*.txt`,
`constraints*.txt` and `requirements/*.txt`, `package.json`, `pyproject.toml`, `Pipfile`,
`Cargo.toml`, `go.mod`, `pom.xml`, `*.csproj`/`*.fsproj` and `Gemfile`. It reports, at the file
and line:

- a dependency installed from a version control URL: `git+https://github.com/org/other@main`,
  `git://`, `git@...`, npm's `github:org/repo` or `org/repo#main` shorthand, `git = "..."` in a
  TOML table, `git:`/`github:` in a Gemfile;
- a local path that leaves the repo: `-e ../shared`, `-r ../other/requirements.txt`,
  `file:../../lib`, `link:`/`portal:` paths, `{ path = "../x" }`, a Go `replace ... => ../x`, a
  Maven `<relativePath>`/`<module>` or a `<ProjectReference>` outside the repo, an absolute
  path, or a path through a symlink that leaves the repo.

Local paths inside the repo (`-e .`, `file:../../layers/common` from a function folder) are
fine here; how functions share code inside a repo is SN008's concern. Package registries,
private indexes and archive URLs are fine.

## Why is this bad?
A path outside the repo builds only on a machine with the right sibling checkout, so the
service's pipeline cannot build it and its build is not reproducible. A git dependency on a
branch changes whenever that other repo changes: this service ships code that nobody reviewed
here and no version pins. Both couple the service's releases to another repo.

## Example
```text
# functions/orders/requirements.txt
boto3==1.34.0
-e ../../../platform-shared
git+https://github.com/acme/payments-client@main
```

## Use instead
```text
# functions/orders/requirements.txt: released versions from a registry (a private index is
# fine); shared code is published as a versioned package by the repo that owns it.
boto3==1.34.0
acme-platform-shared==2.3.1
acme-payments-client==1.8.0
```
"""

from __future__ import annotations

import json
import posixpath
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import NamedTuple

from svc_serverless.linter.cfnyaml import JSON_STRING, TemplateSyntaxError, loads_json
from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import parent, resolve_path


class Dependency(NamedTuple):
    """One dependency as written: where, the spec, and either a VCS source or a local path."""

    line: int
    col: int
    spec: str
    path: str | None  # the local path to check; None for a version control source


Reader = Callable[[str], Iterator[Dependency]]

_VCS = re.compile(r"^(?:git\+|hg\+|svn\+|bzr\+|git://|git@|ssh://git@)", re.IGNORECASE)
_NPM_VCS = re.compile(r"^(?:git\+|git://|git@|github:|gitlab:|bitbucket:|gist:)|^https?://\S+\.git(?:#.*)?$")
_GITHUB_SHORTHAND = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(?:#\S*)?$")
_PIP_OPTION = re.compile(
    r"^(-e|--editable|-r|--requirement|-c|--constraint|-f|--find-links)(?:\s+|=)(\S+)")
_PIP_COMMENT = re.compile(r"(?:^|\s)#.*$")
_NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_DEP_SECTION = re.compile(
    r"(?:^|\.)(?:dependencies|dev-dependencies|build-dependencies|optional-dependencies|"
    r"dependency-groups|packages|dev-packages|sources|patch|replace)(?:\.|$)")
_TOML_KEYED = re.compile(r"""\b(path|git|file)\s*=\s*(["'])(.*?)\2""")
_PEP508_URL = re.compile(r"""["'][^"'\n]*?@\s*((?:git\+|hg\+|svn\+|bzr\+)[^"'\s]+|file:[^"'\s]+)""")
_MAVEN = re.compile(r"<(relativePath|systemPath|module)>\s*([^<]+?)\s*</\1>")
_DOTNET = re.compile(r"""<ProjectReference\s+Include\s*=\s*["']([^"']+)["']""")
_JSON_PAIR = re.compile(rf"({JSON_STRING.pattern})\s*:\s*({JSON_STRING.pattern})")
_GEM = re.compile(r"""\b(path|git|github)(?::|\s*=>)\s*["']([^"']+)["']""")


def check(repo: LoadedRepo) -> Iterator[Problem]:
    for rel in repo.files:
        reader = reader_for(rel)
        if reader is None:
            continue
        text = repo.text(rel)
        if text is None:
            continue
        for dependency in reader(text):
            problem = _problem(repo, rel, dependency)
            if problem is not None:
                yield problem


def reader_for(rel: str) -> Reader | None:
    name = posixpath.basename(rel)
    folder = posixpath.basename(parent(rel))
    if (re.match(r"^(?:.*requirements.*|constraints.*)\.(?:txt|in)$", name)
            or (folder == "requirements" and name.endswith(".txt"))):
        return read_requirements
    if name == "package.json":
        return read_package_json
    if name in ("pyproject.toml", "Pipfile", "Cargo.toml"):
        return read_toml
    if name == "go.mod":
        return read_go_mod
    if name == "pom.xml":
        return read_pom
    if name.endswith((".csproj", ".fsproj", ".vbproj")):
        return read_dotnet
    if name == "Gemfile":
        return read_gemfile
    return None


def _problem(repo: LoadedRepo, rel: str, dependency: Dependency) -> Problem | None:
    name = posixpath.basename(rel)
    if dependency.path is None:
        message = (f"{name} installs '{dependency.spec}' straight from a version control "
                   "repository: depend on a released version from a package registry (the "
                   "owning repo publishes shared code as a versioned package)")
    else:
        where = resolve_path(repo, parent(rel), dependency.path)
        if where.rel is not None:
            return None
        message = (f"{name} depends on '{dependency.spec}', which {where.reason}: a service "
                   "builds only from its own repo; publish shared code as a versioned package "
                   "and depend on a version of it")
    return Problem(message, file=rel, line=dependency.line, col=dependency.col, path=rel,
                   subject=dependency.spec)


def _dependency(line: int, raw: str, spec: str, path: str | None) -> Dependency:
    return Dependency(line, raw.find(spec) + 1, spec, path)


# ----------------------------------------------------------------------------- pip


def _pip_spec(spec: str) -> str | None | bool:
    """A requirement's local path, None for a VCS source, False when it is neither."""
    if "@" in spec and not spec.startswith(("git@", "ssh://")) and not _VCS.match(spec):
        spec = spec.split("@", 1)[1].strip()  # PEP 508 `name @ url`
    if _VCS.match(spec):
        return None
    if spec.startswith("file:"):
        return _file_url_path(spec)
    if spec.startswith((".", "/", "~")):
        return re.sub(r"(?:#.*|\[.*\])$", "", spec)
    return False


def _file_url_path(spec: str) -> str:
    path = spec[len("file:"):]
    if path.startswith("//"):
        path = path[2:]
        path = path[len("localhost"):] if path.startswith("localhost/") else path
    return re.sub(r"#.*$", "", path)


def read_requirements(text: str) -> Iterator[Dependency]:
    for number, raw in enumerate(text.splitlines(), 1):
        line = _PIP_COMMENT.sub("", raw).strip()
        if not line:
            continue
        option = _PIP_OPTION.match(line)
        if option is not None:
            flag, spec = option.groups()
            if "://" in spec and not spec.startswith("file:") and flag not in ("-e", "--editable"):
                continue  # a remote requirements file or a package index page
            path = _pip_spec(spec) if flag in ("-e", "--editable") else (
                _file_url_path(spec) if spec.startswith("file:") else spec)
        elif line.startswith("-"):
            continue
        else:
            spec = line.split(";", 1)[0].strip()
            spec = spec if "@" in spec else spec.split()[0]
            path = _pip_spec(spec)
        if path is not False:
            yield _dependency(number, raw, spec, path if isinstance(path, str) else None)


# ----------------------------------------------------------------------------- npm


def _npm_spec(spec: str) -> str | None | bool:
    text = spec.strip()
    for prefix in ("file:", "link:", "portal:"):
        if text.startswith(prefix):
            return text[len(prefix):]
    if _NPM_VCS.match(text):
        return None
    if text.startswith(("./", "../", "/", "~/")) or text in (".", ".."):
        return text
    if _GITHUB_SHORTHAND.match(text):
        return None
    return False


def read_package_json(text: str) -> Iterator[Dependency]:
    try:
        data = loads_json(text)  # bounded: nesting, size, number length
    except TemplateSyntaxError:
        return
    if not isinstance(data, dict):
        return
    places = _JsonPlaces(text)
    for section in _NPM_SECTIONS:
        dependencies = data.get(section)
        if not isinstance(dependencies, dict):
            continue
        for name, spec in dependencies.items():
            if not isinstance(spec, str):
                continue
            path = _npm_spec(spec)
            if path is not False:
                line, col = places.take(name, spec)
                yield Dependency(line, col, spec, path if isinstance(path, str) else None)
    yield from _workspaces(places, data.get("workspaces"))


def _workspaces(places: _JsonPlaces, workspaces: object) -> Iterator[Dependency]:
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    if not isinstance(workspaces, list):
        return
    for entry in workspaces:
        if isinstance(entry, str) and entry.startswith(("../", "/", "~")):
            line, col = places.take(None, entry)
            yield Dependency(line, col, entry, entry)


class _JsonPlaces:
    """Where each string of a JSON text is written, indexed in one pass over its tokens.

    Searching the whole text once per dependency was quadratic (a package.json with 30,000
    dependencies took 18 s). Values are matched as written with json's default escaping, and
    each place is handed out once, so two equal specs get their own lines.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.pairs: dict[tuple[str, str], list[int]] = {}
        for match in _JSON_PAIR.finditer(text):
            key, value = match.group(1)[1:-1], match.group(2)[1:-1]
            self.pairs.setdefault((key, value), []).append(match.start(2) + 1)
        self.values: dict[str, list[int]] | None = None  # every string; built when first needed
        self.used: set[int] = set()

    def _all_values(self) -> dict[str, list[int]]:
        if self.values is None:
            self.values = {}
            for token in JSON_STRING.finditer(self.text):
                self.values.setdefault(token.group(0)[1:-1], []).append(token.start() + 1)
        return self.values

    def take(self, name: str | None, spec: str) -> tuple[int, int]:
        """The line and column of the spec (after its key `name`), first unused place first."""
        written = json.dumps(spec)[1:-1]
        offsets = (self._all_values().get(written, []) if name is None
                   else self.pairs.get((json.dumps(name)[1:-1], written), []))
        for offset in offsets:
            if offset not in self.used:
                self.used.add(offset)
                index = bisect_right(self.line_starts, offset) - 1
                return index + 1, offset - self.line_starts[index] + 1
        return 0, 0


# ----------------------------------------------------------------------------- toml, go, ...


def read_toml(text: str) -> Iterator[Dependency]:
    """pyproject.toml, Pipfile and Cargo.toml, line by line (no TOML parser before 3.11)."""
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _TOML_HEADER.match(raw)
        if header is not None:
            section = header.group(1).replace('"', "").replace("'", "")
            continue
        for match in _PEP508_URL.finditer(raw):
            url = match.group(1)
            yield _dependency(number, raw, url, _file_url_path(url) if url.startswith("file:")
                              else None)
        if not _TOML_DEP_SECTION.search(section):
            continue
        for match in _TOML_KEYED.finditer(raw):
            key, value = match.group(1), match.group(3)
            if key == "git":
                yield _dependency(number, raw, value, None)
            elif "://" not in value or value.startswith("file:"):
                path = _file_url_path(value) if value.startswith("file:") else value
                yield _dependency(number, raw, value, path)


def read_go_mod(text: str) -> Iterator[Dependency]:
    in_block = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("//", 1)[0].strip()
        if line.startswith("replace") and line.endswith("("):
            in_block = True
            continue
        if in_block and line == ")":
            in_block = False
            continue
        if (in_block or line.startswith("replace ")) and "=>" in line:
            right = line.split("=>", 1)[1].split()
            if right and (right[0].startswith(("./", "../", "/")) or right[0] in (".", "..")):
                yield _dependency(number, raw, right[0], right[0])


def read_pom(text: str) -> Iterator[Dependency]:
    for number, raw in enumerate(text.splitlines(), 1):
        for match in _MAVEN.finditer(raw):
            value = match.group(2)
            path = value.replace("${project.basedir}", ".").replace("${basedir}", ".")
            if "${" not in path:
                yield _dependency(number, raw, value, path)


def read_dotnet(text: str) -> Iterator[Dependency]:
    for number, raw in enumerate(text.splitlines(), 1):
        for match in _DOTNET.finditer(raw):
            yield _dependency(number, raw, match.group(1), match.group(1))


def read_gemfile(text: str) -> Iterator[Dependency]:
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.lstrip().startswith("gem"):
            continue
        for match in _GEM.finditer(raw):
            key, value = match.groups()
            yield _dependency(number, raw, value, value if key == "path" else None)


RULE = Rule(
    code="SN007",
    name="dependencies-in-repo",
    severity="error",
    tags=("share-nothing", "repo"),
    doc=__doc__ or "",
    check=check,
)
