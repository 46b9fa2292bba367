"""`svc lint --repos FILE`: clone (shallow) or update the listed git repos into the cache folder.

The list is one URL per line (`#` comments allowed, `URL BRANCH` to pick a branch), or YAML:

    repos:
      - url: https://github.com/acme/billing.git
        branch: main
      - https://github.com/acme/orders.git

Clones live in `<cache>/clones/<name>-<hash>` and are fetched again on later runs. A repo that
cannot be cloned becomes a Target with its error, and every other repo is still linted.
Git never prompts (GIT_TERMINAL_PROMPT=0) so a private repo without credentials fails fast
instead of hanging a CI job, and a URL is never passed where git could read it as an option.

A cached clone is never trusted. Its `.git/config` must be, byte for byte, the one svc wrote
(which names no remote: svc fetches by URL), or the clone is made again, so nothing a clone's
config could say (core.fsmonitor, hooks, a pager, an external diff, filters, credential
helpers, include.path, another remote) ever reaches git; every git command also runs with hooks
and fsmonitor switched off. Each clone is locked (flock) while a run changes it, exclusively,
and while a run reads it, shared, so concurrent runs can share one cache; stale git `*.lock`
files and half-made clone folders left by a killed run are cleared under that lock. A clone is
made in a temporary folder and renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.discover import Target
from svc_serverless.linter.report.safe import redact_url

CLONE_WORKERS = 8  # clones wait on the network, not the CPU
GIT_TIMEOUT = 600  # seconds per git command: a stalled server must not hang a CI job
# A clone's whole .git/config, as svc writes it. No remote: svc fetches by URL each time.
CLONE_CONFIG = b"[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"
# Files that would make git read objects or history from elsewhere; svc never writes them.
_FOREIGN = ("commondir", "objects/info/alternates", "objects/info/http-alternates", "info/grafts")
# Given on every command, whatever any config says: nothing runs but git itself (ext:: URLs
# run a command), and no background gc outlives the lock.
_GIT_SAFETY = (
    "core.hooksPath=/dev/null", "core.fsmonitor=false", "core.pager=cat", "core.editor=false",
    "protocol.ext.allow=never", "gc.auto=0", "maintenance.auto=false",
    "core.untrackedCache=false",
)
# Where the environment could point git at another repository (set inside a git hook, say).
_LOCATION_ENV = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_OBJECT_DIRECTORY", "GIT_DIR",
    "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE",
    "GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
)
_BRANCH = re.compile(r"^[A-Za-z0-9._/-]+$")


@dataclass(frozen=True)
class RepoSource:
    url: str
    branch: str | None = None


def _entry(item: Any, where: str) -> RepoSource:
    if isinstance(item, str):
        return RepoSource(item.strip())
    if isinstance(item, dict) and isinstance(item.get("url"), str):
        branch = item.get("branch")
        if branch is not None and not isinstance(branch, (str, int, float)):
            raise SvcError(f"{where}: the branch of {item['url'].strip()!r} must be a name")
        return RepoSource(item["url"].strip(), str(branch) if branch is not None else None)
    raise SvcError(f"{where}: each repo must be a URL or a mapping with `url` (and optional `branch`)")


def parse_repos_file(path: Path) -> list[RepoSource]:
    """The repos listed in `path`; a one-line SvcError if it cannot be read or is malformed.

    Read bounded (a pipe too: `--repos <(generate-list)`), YAML with the template loader, which
    refuses alias bombs, deep nesting, huge numbers and odd tags.
    """
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads
    from svc_serverless.linter.files import MAX_REPOS_LIST_BYTES, Unreadable, decode_text, read_file

    try:
        text = decode_text(read_file(path, MAX_REPOS_LIST_BYTES, regular_only=False))
    except Unreadable as err:
        raise SvcError(f"cannot read repos file {path}: it {err.reason}; check the --repos path") from None
    stripped = text.lstrip()
    if stripped.startswith(("repos:", "- ", "-\n", "{")):
        try:
            data = loads(text)
        except TemplateSyntaxError as err:
            raise SvcError(f"{path}: invalid YAML (line {err.line}: {err.message}); use one URL "
                           "per line or `repos: [{url, branch}]`") from None
        items = data.get("repos") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise SvcError(f"{path}: expected a list of repos under `repos:`")
        sources = [_entry(item, str(path)) for item in items]
    else:
        sources = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                url, _, branch = line.partition(" ")
                sources.append(RepoSource(url, branch.strip() or None))
    for source in sources:
        if not source.url or source.url.startswith("-") or not source.url.isprintable():
            raise SvcError(f"{path}: {source.url[:200]!r} is not a git URL")
        if source.branch is not None and (source.branch.startswith("-") or not _BRANCH.match(source.branch)):
            raise SvcError(f"{path}: {source.branch[:200]!r} is not a branch name")
    return sources


def repo_folder_name(url: str, branch: str | None = None) -> str:
    """A readable, collision-free folder name: the repo's last path segment plus a hash.

    The branch is part of the hash: two branches of one repo are two clones, else the second
    fetch would replace the first's files before they were linted.
    """
    # The readable part never holds a credential or query (`?token=...`); the hash sees all.
    last = re.split(r"[?#]", redact_url(url))[0].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    last = re.sub(r"\.git$", "", last)
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", last).strip(".-") or "repo"
    identity = url if branch is None else f"{url}\0{branch}"
    return f"{safe}-{hashlib.sha256(identity.encode()).hexdigest()[:10]}"


def _git_env(folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _LOCATION_ENV}
    env.update({
        "GIT_DIR": str(folder / ".git"), "GIT_WORK_TREE": str(folder),
        "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never",
        "GIT_NO_REPLACE_OBJECTS": "1", "GIT_OPTIONAL_LOCKS": "0",
    })
    return env


def _git(folder: Path, *args: str) -> None:
    """Run git on the clone at folder; CalledProcessError (with stderr) when it fails."""
    command = ["git"]
    for setting in _GIT_SAFETY:
        command += ["-c", setting]
    subprocess.run([*command, *args], env=_git_env(folder), cwd=folder, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True, text=True,
                   timeout=GIT_TIMEOUT)


def _first_line(err: Exception) -> str:
    if isinstance(err, subprocess.TimeoutExpired):
        return f"git took longer than {GIT_TIMEOUT} s"
    if isinstance(err, TimeoutError):
        return str(err)
    stderr = getattr(err, "stderr", "") or ""
    lines = [line.strip() for line in str(stderr).splitlines() if line.strip()]
    lines = [line for line in lines if line.startswith(("fatal:", "error:", "remote:"))] or lines
    if lines:
        return lines[0]
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return err.__class__.__name__


def _lstat_dir_of_ours(path: Path) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()


def is_svc_clone(folder: Path) -> bool:
    """Whether folder is a clone as svc left it: nothing in it could make git run a command
    or read another repository's objects."""
    git_dir = folder / ".git"
    if not (_lstat_dir_of_ours(folder) and _lstat_dir_of_ours(git_dir)):
        return False
    try:
        fd = os.open(git_dir / "config", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as config:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or config.read(len(CLONE_CONFIG) + 1) != CLONE_CONFIG:
            return False
    return not any(os.path.lexists(git_dir / rel) for rel in _FOREIGN)


def _remove(path: Path) -> None:
    """Delete a file, link or folder tree without following links out of it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def _clear_leftovers(folder: Path) -> None:
    """What a killed run left for this clone: half-made clone folders, git's own lock files.

    Called only under the clone's exclusive lock, so no live run owns any of them.
    """
    for leftover in folder.parent.glob(f".{folder.name}.*"):
        _remove(leftover)
    git_dir = folder / ".git"
    if not (_lstat_dir_of_ours(folder) and _lstat_dir_of_ours(git_dir)):
        return  # not a clone to repair (and never walk through a link): it is made again
    for place, dirs, files in os.walk(git_dir):  # never follows links
        if place == str(git_dir):
            dirs[:] = [d for d in dirs if d != "objects"]
        for name in files:
            if name.endswith(".lock"):
                os.unlink(os.path.join(place, name))


def _update(source: RepoSource, folder: Path) -> None:
    """Make folder's files the tip of the source's branch: fetch by URL, reset, clean."""
    _git(folder, "fetch", "--quiet", "--depth", "1", "--no-tags", "--", source.url,
         source.branch or "HEAD")
    _git(folder, "reset", "--quiet", "--hard", "FETCH_HEAD")
    _git(folder, "clean", "-q", "-ffdx")


def _clone(source: RepoSource, folder: Path) -> None:
    """A fresh clone in a temporary folder, renamed over whatever was at folder."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _git(tmp, "init", "--quiet", "--template=")
        config = tmp / ".git" / "config"
        config.unlink()
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(CLONE_CONFIG)
        _update(source, tmp)
        _remove(folder)
        os.rename(tmp, folder)
    finally:
        _remove(tmp)


def fetch(source: RepoSource, clones: Path) -> Path:
    """Clone `source` shallowly, or update svc's earlier clone to the tip of its branch."""
    from svc_serverless.linter.cache import locked

    folder = clones / repo_folder_name(source.url, source.branch)
    with locked(clones / f"{folder.name}.lock"):
        _clear_leftovers(folder)
        if is_svc_clone(folder):
            try:
                _update(source, folder)
                return folder
            except (subprocess.SubprocessError, OSError):
                pass  # a broken clone: made again below, and the error reported is that one's
        _clone(source, folder)
    return folder


def _fetch_target(source: RepoSource, clones: Path) -> Target:
    from svc_serverless.linter.model import find_template

    # Reports and errors show the URL without its credentials, and name the repo without them.
    shown = redact_url(source.url) + (f"@{source.branch}" if source.branch else "")
    folder_name = repo_folder_name(source.url, source.branch)
    name = folder_name.rsplit("-", 1)[0]
    lock = clones / f"{folder_name}.lock"
    try:
        path = fetch(source, clones)
    except Exception as err:  # noqa: BLE001 - one unreachable repo must not stop the others
        return Target(clones / folder_name, shown,
                      redact_url(f"cannot clone {shown}: {_first_line(err)}"), name)
    if find_template(path) is None:
        return Target(path, shown, f"no template.yaml at the root of {shown}", name)
    return Target(path, shown, name=name, lock=lock)


def clone_targets(repos_file: Path, cache_dir: Path) -> list[Target]:
    from svc_serverless.linter.cache import private_dir

    # A URL listed twice would be cloned twice into one folder at once: keep the first.
    sources = list(dict.fromkeys(parse_repos_file(repos_file)))
    # Absolute: git runs inside each clone, where a relative --cache-dir would point elsewhere.
    cache_dir = Path(os.path.abspath(cache_dir))
    clones = private_dir(private_dir(cache_dir, may_link=True) / "clones", may_link=False)
    with ThreadPoolExecutor(max_workers=CLONE_WORKERS) as pool:
        return list(pool.map(lambda s: _fetch_target(s, clones), sources))
