"""Which template svc renders: the bundled one, an organisation's folder, or a git URL at a ref.

`svc new --template SOURCE` (or `scaffold.template` in the organisation policy) picks it;
`.svc/answers.json` records it (`record.Origin`), and `svc update`/`svc check` render the same
source and ref again. A git template is fetched into `<cache>/templates/` (a bare repo, so
no checkout state can go stale) and the resolved commit is exported to a temporary folder for
each run. `svc check` never fetches: it renders what the cache holds.

Every template is checked before use: a `cookiecutter.json` declaring the variables svc needs,
no `hooks/` and no `_extensions` (svc never runs code from a template), no symbolic links, and
bounded in size. Only Jinja text is rendered, by `create.render`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.scaffold.record import BUNDLED, Origin

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:")
_REF = re.compile(r"^[A-Za-z0-9._/-]+$")
_SCHEMES = ("https://", "http://", "ssh://", "git://", "file://", "git+ssh://", "ssh+git://")
MAX_FILES = 5000
MAX_BYTES = 50 * 1024 * 1024
NETWORK_TIMEOUT = 300.0
# What svc itself reads from a template's variables (answers.py, create.py); type by example.
REQUIRED: dict[str, type] = {
    "service_name": str, "owner": str, "description": str, "runtime": list,
    "architecture": list, "ci": list, "workflow": bool, "_svc_files": dict,
}
PROJECT_FOLDER = "{{cookiecutter.service_name}}"


@dataclass(frozen=True)
class Source:
    """A template as asked for: kind `bundled`, `folder` (absolute path) or `git` (a URL)."""

    kind: str
    location: str
    ref: str | None = None

    def describe(self) -> str:
        if self.kind == "bundled":
            return "the bundled template"
        return self.location + (f"@{self.ref}" if self.ref else "")


BUNDLED_SOURCE = Source("bundled", BUNDLED)


@dataclass(frozen=True)
class Resolved:
    """A checked template ready to render, and what `.svc/answers.json` records about it."""

    source: Source
    root: Path
    variables: dict[str, Any]
    origin: Origin
    fingerprint: str


def is_git_url(text: str) -> bool:
    return bool(_URL.match(text) or _SCP.match(text))


def parse_source(text: str, base: Path) -> Source:
    """`--template SOURCE`: a folder (relative to `base`) or a git URL with an optional @REF."""
    if text == BUNDLED:
        return BUNDLED_SOURCE
    if not text or text.startswith("-") or any(ch in text for ch in "\n\r\x00"):
        raise SvcError(f"invalid template {text!r}: give a folder or a git URL (with @REF)")
    scheme = _URL.match(text)
    if "::" in text or (scheme and scheme.group().lower() not in _SCHEMES):
        # git's `transport::address` form can run programs (ext::): never pass it to git.
        raise SvcError(f"invalid template URL {text!r}: use https://, ssh://, git://, file:// or "
                       "user@host:path")
    if not is_git_url(text):
        return Source("folder", str((base / text).resolve()))
    url, ref = _split_ref(text)
    _refuse_credentials(url)
    return Source("git", url, check_ref(ref) if ref is not None else None)


def _split_ref(text: str) -> tuple[str, str | None]:
    """Split URL@REF. The ref's `@` comes after where the path starts, so `git@host:` is no ref."""
    scheme = _URL.match(text)
    if scheme:
        path_start = text.find("/", scheme.end())
        path_start = len(text) if path_start < 0 else path_start
    else:
        path_start = text.index(":")
    at = text.rfind("@")
    if at > path_start:
        return text[:at], text[at + 1:]
    return text, None


def _refuse_credentials(url: str) -> None:
    scheme = _URL.match(url)
    if not scheme:
        return
    rest = url[scheme.end():]
    userinfo = rest.split("/", 1)[0].rpartition("@")[0]
    # An http(s) user name is a token more often than not; any password is a secret.
    if ":" in userinfo or (userinfo and url.lower().startswith(("http://", "https://"))):
        raise SvcError("a template URL must not carry credentials (svc records it in "
                       ".svc/answers.json): use a git credential helper instead")


def check_ref(ref: str) -> str:
    if not ref or ref.startswith("-") or ".." in ref or not _REF.match(ref):
        raise SvcError(f"invalid template ref {ref!r}: use a branch, tag or commit, e.g. v2.1.0")
    return ref


def source_of(origin: Origin) -> Source:
    """The source a recorded origin names (the same ref: a branch may have moved on)."""
    if origin.source == BUNDLED:
        return BUNDLED_SOURCE
    if is_git_url(origin.source):
        return Source("git", origin.source, origin.ref)
    return Source("folder", origin.source)


def with_ref(source: Source, ref: str) -> Source:
    if source.kind != "git":
        raise SvcError(f"--ref needs a template from a git URL, and this repo uses "
                       f"{source.describe()}: pass --template URL@REF instead")
    return Source("git", source.location, check_ref(ref))


def policy_source(config: Path) -> Source | None:
    """`scaffold.template` of an organisation policy file; a folder is relative to the file."""
    from svc_serverless.linter.custom.organisation import load_organisation

    # The same reading as `svc lint --config`: one message for a missing or invalid file.
    scaffold = load_organisation(config).data.get("scaffold", {})
    text = scaffold.get("template") if isinstance(scaffold, dict) else None
    return parse_source(text, config.resolve().parent) if isinstance(text, str) else None


def bundled_root() -> Path:
    from svc_serverless.scaffold import create

    return create.TEMPLATE_DIR  # looked up at call time: tests stand in a newer template


def default_cache_dir() -> Path:
    from svc_serverless.linter.cache import default_cache_dir as lint_cache_dir

    return lint_cache_dir()  # one cache folder for svc: lint's clones, templates, update clones


@contextmanager
def open_for_new(text: str | None, config: Path | None,
                 cache_dir: Path | None) -> Iterator[Resolved]:
    """`svc new`'s template: --template, else the policy's scaffold.template, else bundled."""
    source = None
    if text is not None:
        source = parse_source(text, Path.cwd())
    elif config is not None:
        source = policy_source(config)
    with opened(source or BUNDLED_SOURCE, cache_dir, fetch=True) as resolved:
        yield resolved


@contextmanager
def opened(source: Source, cache_dir: Path | None, *, fetch: bool) -> Iterator[Resolved]:
    """The template `source` names, checked and ready; a git export is removed afterwards.

    `fetch=False` (svc check) reads only what the cache already holds: no network.
    """
    from svc_serverless.scaffold.create import template_fingerprint

    if source.kind != "git":
        root = bundled_root() if source.kind == "bundled" else Path(source.location)
        variables = check_template(root, source.describe())
        origin = Origin(BUNDLED) if source.kind == "bundled" else Origin(source.location)
        yield Resolved(source, root, variables, origin, template_fingerprint(root))
        return
    repo = cached_repo(source.location, cache_dir or default_cache_dir(), fetch=fetch)
    commit = resolve_ref(repo, source, fetch=fetch)
    export = Path(tempfile.mkdtemp(prefix="svc-template-"))
    try:
        root = export / "template"
        _export(repo, commit, root, export / "index")
        variables = check_template(root, source.describe())
        yield Resolved(source, root, variables, Origin(source.location, source.ref, commit),
                       template_fingerprint(root))
    finally:
        shutil.rmtree(export, ignore_errors=True)


def check_template(root: Path, shown: str) -> dict[str, Any]:
    """The template's variables, after refusing anything svc will not render."""
    if not root.is_dir():
        raise SvcError(f"template {shown} is not a folder: give a template folder or a git URL")
    config = root / "cookiecutter.json"
    if not config.is_file() or config.is_symlink():
        raise SvcError(f"template {shown} has no cookiecutter.json: it is not a cookiecutter template")
    if (root / "hooks").exists():
        raise SvcError(f"template {shown} has hooks/: svc never runs template code; "
                       "remove the hooks (svc does its post-steps itself)")
    _check_files(root, shown)
    try:
        variables = json.loads(config.read_text(encoding="utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise SvcError(f"template {shown}: cookiecutter.json is not valid JSON") from None
    if not isinstance(variables, dict):
        raise SvcError(f"template {shown}: cookiecutter.json is not a JSON object")
    if "_extensions" in variables:
        raise SvcError(f"template {shown} loads Jinja extensions (_extensions): svc never runs "
                       "template code; remove them")
    for key, kind in REQUIRED.items():
        if not isinstance(variables.get(key), kind):
            raise SvcError(f"template {shown}: cookiecutter.json must declare {key!r} as a "
                           f"{_KIND_NAMES[kind]} (svc's own answers rely on it)")
    if not (root / PROJECT_FOLDER).is_dir():
        raise SvcError(f"template {shown} has no {PROJECT_FOLDER} folder: svc renders the "
                       "service repo from it")
    return variables


_KIND_NAMES = {str: "string", list: "list of choices", bool: "boolean", dict: "mapping"}


def _check_files(root: Path, shown: str) -> None:
    count = size = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]  # a template checkout's own history
        for name in dirs + files:
            path = Path(folder, name)
            if path.is_symlink():
                raise SvcError(f"template {shown} contains a symbolic link "
                               f"({path.relative_to(root).as_posix()}): svc does not follow "
                               "links in templates")
        count += len(files)
        size += sum(Path(folder, name).stat().st_size for name in files)
        if count > MAX_FILES or size > MAX_BYTES:
            raise SvcError(f"template {shown} is larger than {MAX_FILES} files or "
                           f"{MAX_BYTES // 2**20} MiB: svc refuses to render it")


# ---------------------------------------------------------------- git templates


def cached_repo(url: str, cache_dir: Path, *, fetch: bool) -> Path:
    """The bare clone of `url` in the cache, fetched first unless `fetch` is False."""
    from svc_serverless.linter.sources import repo_folder_name

    folder = cache_dir / "templates" / (repo_folder_name(url) + ".git")
    if not fetch:
        if not (folder / "HEAD").is_file():
            raise SvcError(f"template {url} is not in the cache ({folder.parent}): `svc check` "
                           "never fetches; run `svc update` once, or pass --cache-dir")
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SvcError(f"cannot create template cache {folder.parent} ({err.strerror}): "
                       "use --cache-dir") from None
    with _locked(folder.with_name(folder.name + ".lock")):
        if not (folder / "HEAD").is_file():
            _init_bare(folder)
        _git(folder, "fetch", "--prune", "--force", "--", url, "+refs/heads/*:refs/heads/*",
             "+refs/tags/*:refs/tags/*", "+HEAD:refs/svc/remote-head",
             what=f"cannot fetch template {url}", timeout=NETWORK_TIMEOUT)
    return folder


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One fetch into a cached template at a time (parallel CI jobs share the cache)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: git's own ref locks are the only guard
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _init_bare(folder: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _git(tmp, "init", "--bare", "--quiet", ".", what="cannot create the template cache")
        os.replace(tmp, folder)
    except OSError as err:
        raise SvcError(f"cannot create the template cache {folder} ({err.strerror}): "
                       "use --cache-dir") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def resolve_ref(repo: Path, source: Source, *, fetch: bool) -> str:
    """The commit `source.ref` names in the cached repo (the remote's HEAD when no ref)."""
    names = ["refs/svc/remote-head"] if source.ref is None else [
        f"refs/tags/{source.ref}", f"refs/heads/{source.ref}", source.ref]
    for name in names:
        code, out = _try_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                             f"{name}^{{commit}}")
        if code == 0 and out.strip():
            return out.strip()
    where = "the remote" if fetch else "the template cache (svc check does not fetch)"
    raise SvcError(f"template {source.describe()}: {source.ref or 'HEAD'} is not a branch, "
                   f"tag or commit in {where}: pick another with --ref")


def _export(repo: Path, commit: str, target: Path, index: Path) -> None:
    target.mkdir()
    env = {"GIT_INDEX_FILE": str(index), "GIT_WORK_TREE": str(target)}
    _git(repo, "read-tree", commit, env=env, what="cannot read the template")
    _git(repo, "checkout-index", "--all", env=env, what="cannot export the template")


def _git(where: Path, *args: str, what: str, env: dict[str, str] | None = None,
         timeout: float | None = None) -> str:
    from svc_serverless.scaffold.gitrepo import GitFailed, run_git

    try:
        return run_git(where, args, env=env, timeout=timeout, git_dir=True)
    except GitFailed as err:
        raise SvcError(f"{what}: {err}") from None


def _try_git(where: Path, *args: str) -> tuple[int, str]:
    from svc_serverless.scaffold.gitrepo import try_git

    result = try_git(where, args, git_dir=True)
    return result.code, result.out
