"""Function code imports code from outside its own function folder.

## What it does
Reads the source files (`*.py`, `*.js`, `*.mjs`, `*.cjs`, `*.ts`) of every function folder:
the folder each function's `CodeUri` (or `Code`) points at, and each folder of `functions/`.
A file belongs to the deepest function folder that holds it. Reported, at the file and line:

- Python: a relative import that climbs out of the folder (`from ...shared import x`);
  `sys.path.append(...)`/`insert(...)` and `importlib` file loaders
  (`spec_from_file_location`, `SourceFileLoader`, `imp.load_source`) given a path outside it,
  worked out from string literals, `__file__`, `os.path.join`/`dirname`/`abspath`,
  `pathlib.Path(...).parent`/`parents[n]`/`/` and simple variables; and `import functions.x` /
  `from layers.common import y`, which reach the repo's other folders by name;
- JavaScript/TypeScript: `require('...')`, `import ... from '...'`, `export ... from '...'`
  and `import('...')` of a relative path that resolves outside the folder (e.g.
  `../../layers/common/nodejs/util`), or of an absolute path.

A test inside the function folder that imports its handler (`sys.path.insert(0, '..')` from
`functions/x/tests/`) stays inside and is fine; a test file (under `tests/`, `test_*.py`,
`conftest.py`, `*.test.mjs`...) may also put the repo's `layers/` on its path, standing in for
the layer mount. Layers are reached through their mount (`/opt/python`, `/opt/nodejs`) or their
package name; `/opt`, `/var/task` and `/var/runtime` are allowed. The code is parsed, never
run. Paths computed any other way are not followed.

## Why is this bad?
Lambda packages only the function's own folder: an import of a sibling folder works on the
developer's machine and fails in production, or (with a bundler) silently copies another
function's or layer's code into this one, so a change there ships here without a review.
Shared code inside a service belongs in a layer of `layers/`; code shared between services in
a published, versioned package.

## Example
```python
# functions/orders/app.py
import os
import sys

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "payments"))
from ..payments.client import charge
```

## Use instead
```python
# functions/orders/app.py: shared code comes from the service's layer (layers/common,
# mounted at /opt/python), or from a versioned package in requirements.txt.
from common.client import charge
```
"""

from __future__ import annotations

import ast
import posixpath
import re
import warnings
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule
from svc_serverless.rules.share_nothing._helpers import parent, resolve_path, within

SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts")
FUNCTION_TYPES = {"AWS::Serverless::Function": "CodeUri", "AWS::Lambda::Function": "Code"}
ALLOWED_ABSOLUTE = ("/opt", "/var/task", "/var/runtime")
_TEST_FOLDERS = frozenset({"tests", "test", "__tests__"})
_FIX = ("share code through a layer (layers/, reached as /opt/... or by its package name) or a "
        "published package, never by path")

_JS_PATTERNS = (
    re.compile(r"""\brequire\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)"""),
    re.compile(r"""^[ \t]*(?:import|export)\b[^'"`;=()]*?\bfrom\s*(['"])([^'"\n]+)\1""", re.MULTILINE),
    re.compile(r"""^[ \t]*import\s*(['"])([^'"\n]+)\1""", re.MULTILINE),
    re.compile(r"""\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)"""),
)


class Found(NamedTuple):
    line: int
    col: int
    shown: str  # the import as written, for the message
    reason: str  # where it resolves, a phrase after "resolves"


class _Scope(NamedTuple):
    """Where a file's imports may lead: its function folder; for tests also the layers folder.

    A test may put `layers/<layer>/python` on its path: that stands in for the `/opt` mount
    Lambda gives the function, and test code is never run there.
    """

    folder: str
    test: bool
    layers: str

    def allows(self, rel: str) -> bool:
        return within(rel, self.folder) or (self.test and within(rel, self.layers))


def _test_file(rel: str, folder: str) -> bool:
    inner = rel[len(folder):].lstrip("/") if folder else rel
    parts = inner.split("/")
    name = parts[-1]
    return (any(part in _TEST_FOLDERS for part in parts[:-1]) or name == "conftest.py"
            or name.startswith("test_") or name.endswith("_test.py")
            or ".test." in name or ".spec." in name)


class _Path(NamedTuple):
    """A path computed by the code: repo-relative ("repo"), absolute, or relative to the CWD."""

    kind: str  # "repo", "abs" or "cwd"
    path: str


def check(repo: LoadedRepo) -> Iterator[Problem]:
    folders = sorted(function_folders(repo), key=len, reverse=True)
    if not folders:
        return
    for rel in repo.files:
        if not rel.endswith(SOURCE_SUFFIXES) or rel.endswith(".d.ts"):
            continue
        folder = next((f for f in folders if within(rel, f)), None)
        if folder is None:
            continue
        text = repo.text(rel)
        if text is None:
            continue
        scope = _Scope(folder, _test_file(rel, folder), repo.policy.layout.layers)
        finder = python_imports if rel.endswith(".py") else js_imports
        for found in finder(repo, scope, rel, text):
            yield Problem(
                f"{posixpath.basename(rel)} imports {found.shown}, which resolves "
                f"{found.reason}: {_FIX}",
                file=rel, line=found.line, col=found.col, path=rel, subject=found.shown,
            )


def function_folders(repo: LoadedRepo) -> set[str]:
    """The folders holding function code: what CodeUri/Code point at, and functions/*."""
    folders: set[str] = set()
    template = repo.template
    if template is not None and template.error is None:
        base = parent(template.path)
        for resource in template.of_type(*FUNCTION_TYPES):
            value = resource.properties.get(FUNCTION_TYPES[resource.type])
            if isinstance(value, str) and "://" not in value:
                where = resolve_path(repo, base, value.strip())
                if where.rel is not None and (where.rel == "" or repo.exists(where.rel + "/")):
                    folders.add(where.rel)
    root = repo.policy.layout.functions + "/"
    folders.update(d for d in repo.listing.dirs if d.startswith(root) and "/" not in d[len(root):])
    return folders


def _norm(path: str) -> str:
    normal = posixpath.normpath(path) if path else ""
    return "" if normal == "." else normal


def _join(*parts: str) -> str:
    return _norm("/".join(p for p in parts if p))


def _up(path: str) -> str:
    """The parent folder, also of a path that already climbs (`..` -> `../..`)."""
    if path in ("", ".."):
        return _join(path, "..")
    if path.endswith("/.."):
        return _join(path, "..")
    return _norm(posixpath.dirname(path))


def _outside(repo: LoadedRepo, scope: _Scope, rel: str, target: _Path) -> str | None:
    """Where the target lands when outside the function folder, or None when inside."""
    folder = scope.folder
    if target.kind == "abs":
        path = _norm(target.path) or "/"
        if any(path == a or path.startswith(a + "/") for a in ALLOWED_ABSOLUTE):
            return None
        return f"to the absolute path '{target.path}', outside the function package"
    if target.kind == "repo":
        candidates = [target.path]
    else:  # relative to the working directory: the function root at run time, or the file's
        candidates = [_join(folder, target.path), _join(parent(rel), target.path)]
    reason = ""
    for candidate in candidates:
        where = resolve_path(repo, "", candidate) if not candidate.startswith("..") else None
        if where is None or where.rel is None:
            reason = reason or "outside the repo"
        elif scope.allows(where.rel):
            return None
        else:
            landed = f"'{where.rel}'" if where.rel else "the repo root"
            reason = reason or f"to {landed}, outside this function's folder '{folder}/'"
    return reason


# ----------------------------------------------------------------------------- JavaScript


_COMMENT_HEAD = re.compile(r"\s*(?://|\*|/\*)")  # the line, up to the import, opens a comment


def js_imports(repo: LoadedRepo, scope: _Scope, rel: str, text: str) -> Iterator[Found]:
    seen: set[int] = set()
    starts: list[int] = []  # line starts, computed once: per import it was quadratic
    for pattern in _JS_PATTERNS:
        for match in pattern.finditer(text):
            spec = match.group(2)
            offset = match.start(2)
            if offset in seen or not spec.startswith((".", "/")):
                continue
            starts = starts or [0] + [m.end() for m in re.finditer("\n", text)]
            index = bisect_right(starts, offset) - 1
            if _in_comment(text, starts[index], offset):
                continue
            seen.add(offset)
            target = _Path("abs", spec) if spec.startswith("/") else _Path(
                "repo", _join(parent(rel), spec))
            reason = _outside(repo, scope, rel, target)
            if reason is not None:
                yield Found(index + 1, offset - starts[index] + 1, f"'{spec}'", reason)


def _in_comment(text: str, line_start: int, offset: int) -> bool:
    return _COMMENT_HEAD.match(text, line_start, offset) is not None


# ----------------------------------------------------------------------------- Python


@lru_cache(maxsize=8)
def _python_hint(functions: str, layers: str) -> re.Pattern[str]:
    """Files without any of these cannot have a finding, so they are not parsed."""
    names = "|".join(re.escape(n) for n in (functions, layers))
    return re.compile(
        r"^\s*from\s+\.\.|sys\.path|spec_from_file_location|SourceFileLoader|load_source|"
        rf"^\s*(?:from|import)\s+(?:{names})\b", re.MULTILINE)


def python_imports(repo: LoadedRepo, scope: _Scope, rel: str, text: str) -> Iterator[Found]:
    layout = repo.policy.layout
    if not _python_hint(layout.functions, layout.layers).search(text):
        return
    try:
        with warnings.catch_warnings():  # SyntaxWarnings are the code's business, not svc output
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # not Python 3 source: nothing svc can read safely
    env = _assignments(tree)
    repo_folders = (layout.functions, layout.layers)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            yield from _relative_import(repo, scope, rel, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from _folder_import(repo, scope, node, repo_folders)
        elif isinstance(node, ast.Call):
            path_arg = _path_argument(node)
            if path_arg is not None:
                target = _evaluate(path_arg, env, rel, 0)
                reason = _outside(repo, scope, rel, target) if target else None
                if reason is not None:
                    yield Found(node.lineno, node.col_offset + 1, _source(node), reason)


def _relative_import(repo: LoadedRepo, scope: _Scope, rel: str,
                     node: ast.ImportFrom) -> Iterator[Found]:
    package = parent(rel)
    for _ in range(node.level - 1):
        package = _up(package)
    reason = _outside(repo, scope, rel, _Path("repo", package))
    if reason is not None:
        shown = "from " + "." * node.level + (node.module or "")
        yield Found(node.lineno, node.col_offset + 1, f"'{shown}'", reason)


def _folder_import(repo: LoadedRepo, scope: _Scope, node: ast.Import | ast.ImportFrom,
                   repo_folders: tuple[str, ...]) -> Iterator[Found]:
    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [
        alias.name for alias in node.names]
    for module in modules:
        top = module.split(".", 1)[0]
        if top not in repo_folders or repo.exists(_join(scope.folder, top) + "/"):
            continue
        if not (scope.test and top == scope.layers):
            yield Found(node.lineno, node.col_offset + 1, f"'{module}'",
                        f"to the repo's {top}/ folder by name, outside this function's folder")


def _assignments(tree: ast.AST) -> dict[str, ast.expr]:
    """Names assigned exactly once (`here = os.path.dirname(__file__)`), to follow paths."""
    found: dict[str, ast.expr] = {}
    repeated: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            if target.id in found:
                repeated.add(target.id)
            found[target.id] = value
    return {name: value for name, value in found.items() if name not in repeated}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _path_argument(call: ast.Call) -> ast.expr | None:
    """The path given to sys.path.append/insert or an importlib file loader, if any."""
    name = _dotted(call.func)
    if name in ("sys.path.append", "sys.path.insert"):
        index = 0 if name.endswith("append") else 1
        return call.args[index] if len(call.args) > index else None
    if name.endswith(("spec_from_file_location", "SourceFileLoader", "load_source")):
        for keyword in call.keywords:
            if keyword.arg in ("location", "path", "pathname"):
                return keyword.value
        return call.args[1] if len(call.args) > 1 else None
    return None


_PASS_THROUGH = frozenset({"abspath", "realpath", "normpath", "str", "Path", "PurePath",
                           "PosixPath", "fspath", "resolve", "absolute", "expanduser"})


def _evaluate(node: ast.expr, env: dict[str, ast.expr], rel: str, depth: int) -> _Path | None:
    """A path expression worked out statically; None when it is anything else."""
    if depth > 20:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        value = node.value
        return _Path("abs", value) if value.startswith("/") else _Path("cwd", _norm(value))
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return _Path("repo", rel)
        bound = env.get(node.id)
        return _evaluate(bound, env, rel, depth + 1) if bound is not None else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return _parent_of(_evaluate(node.value, env, rel, depth + 1))
    if isinstance(node, ast.Subscript):
        return _parents(node, env, rel, depth)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _joined([node.left, node.right], env, rel, depth)
    if isinstance(node, ast.Call):
        return _call(node, env, rel, depth)
    return None


def _parent_of(path: _Path | None) -> _Path | None:
    if path is None:
        return None
    if path.kind == "abs":
        return _Path("abs", posixpath.dirname(path.path.rstrip("/")) or "/")
    return _Path(path.kind, _up(path.path))


def _parents(node: ast.Subscript, env: dict[str, ast.expr], rel: str, depth: int) -> _Path | None:
    """`Path(__file__).parents[n]`."""
    if not (isinstance(node.value, ast.Attribute) and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int)):
        return None
    path = _evaluate(node.value.value, env, rel, depth + 1)
    if not 0 <= node.slice.value < 20:
        return None
    for _ in range(node.slice.value + 1):
        path = _parent_of(path)
    return path


def _call(node: ast.Call, env: dict[str, ast.expr], rel: str, depth: int) -> _Path | None:
    name = _dotted(node.func)
    short = name.rsplit(".", 1)[-1] if name else (
        node.func.attr if isinstance(node.func, ast.Attribute) else "")
    if short == "getcwd":
        return _Path("cwd", "")
    if short == "dirname" and node.args:
        return _parent_of(_evaluate(node.args[0], env, rel, depth + 1))
    if short in ("join", "joinpath"):
        parts = list(node.args)
        if short == "joinpath" and isinstance(node.func, ast.Attribute):
            parts.insert(0, node.func.value)
        return _joined(parts, env, rel, depth)
    if short in _PASS_THROUGH:
        if isinstance(node.func, ast.Attribute) and short in ("resolve", "absolute", "expanduser"):
            return _evaluate(node.func.value, env, rel, depth + 1)
        return _evaluate(node.args[0], env, rel, depth + 1) if node.args else _Path("cwd", "")
    return None


def _joined(parts: list[ast.expr], env: dict[str, ast.expr], rel: str, depth: int) -> _Path | None:
    result: _Path | None = None
    for part in parts:
        value = _evaluate(part, env, rel, depth + 1)
        if value is None:
            return None
        if result is None or value.kind != "cwd":
            result = value  # an absolute or file-based part restarts the path, as os.path.join does
        elif result.kind == "abs":
            result = _Path("abs", posixpath.normpath(posixpath.join(result.path, value.path)))
        else:
            result = _Path(result.kind, _join(result.path, value.path))
    return result


def _source(node: ast.Call) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # unparse of odd trees; the message still reads well
        text = _dotted(node.func) + "(...)"
    return f"'{text}'" if len(text) <= 100 else f"'{text[:97]}...'"


RULE = Rule(
    code="SN008",
    name="imports-in-function",
    severity="error",
    tags=("share-nothing", "repo", "code"),
    doc=__doc__ or "",
    check=check,
)
