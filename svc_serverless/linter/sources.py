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
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.discover import Target
from svc_serverless.linter.report.safe import redact_url

CLONE_WORKERS = 8  # clones wait on the network, not the CPU
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


def repo_folder_name(url: str) -> str:
    """A readable, collision-free folder name: the repo's last path segment plus a hash."""
    last = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    last = re.sub(r"\.git$", "", last)
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", last).strip(".-") or "repo"
    return f"{safe}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def _git_env() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never"}


def _first_line(err: Exception) -> str:
    stderr = getattr(err, "stderr", "") or ""
    lines = [l.strip().removeprefix("stderr: ").strip("'\" ") for l in str(stderr).splitlines()]
    lines = [l for l in lines if l.startswith(("fatal:", "error:", "remote:"))] or lines
    return lines[0] if lines else f"{err.__class__.__name__}"


def fetch(source: RepoSource, clones: Path) -> Path:
    """Clone `source` shallowly, or update an earlier clone to the tip of its branch."""
    import git

    target = clones / repo_folder_name(source.url)
    env = _git_env()
    if (target / ".git").is_dir():
        repo = git.Repo(target)
        remote = repo.remote("origin")
        branch = source.branch or "HEAD"
        remote.fetch(branch, depth=1, env=env)
        repo.git.reset("--hard", "FETCH_HEAD")
        return target
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=clones))
    tmp.rmdir()  # git clone wants to create the folder itself
    options: dict[str, Any] = {"depth": 1, "single_branch": True, "env": env}
    if source.branch:
        options["branch"] = source.branch
    try:
        git.Repo.clone_from(source.url, tmp, multi_options=["--no-tags"], **options)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _fetch_target(source: RepoSource, clones: Path, cwd: Path) -> Target:
    from svc_serverless.linter.model import find_template

    # Reports and errors show the URL without its credentials, and name the repo without them.
    shown = redact_url(source.url) + (f"@{source.branch}" if source.branch else "")
    name = repo_folder_name(re.split(r"[?#]", redact_url(source.url))[0]).rsplit("-", 1)[0]
    try:
        path = fetch(source, clones)
    except Exception as err:  # noqa: BLE001 - one unreachable repo must not stop the others
        return Target(clones / repo_folder_name(source.url), shown,
                      redact_url(f"cannot clone {shown}: {_first_line(err)}"), name)
    if find_template(path) is None:
        return Target(path, shown, f"no template.yaml at the root of {shown}", name)
    return Target(path, shown, name=name)


def clone_targets(repos_file: Path, cache_dir: Path, cwd: Path) -> list[Target]:
    # A URL listed twice would be cloned twice into one folder at once: keep the first.
    sources = list(dict.fromkeys(parse_repos_file(repos_file)))
    clones = cache_dir / "clones"
    try:
        clones.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SvcError(f"cannot create clone cache {clones}: {err.strerror}; use --cache-dir") from None
    with ThreadPoolExecutor(max_workers=CLONE_WORKERS) as pool:
        return list(pool.map(lambda s: _fetch_target(s, clones, cwd), sources))
