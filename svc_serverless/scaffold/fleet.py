"""`svc update` over many repos: folders of checkouts, or a `--repos` file cloned into the cache.

Each repo is updated on its own branch, exactly as `svc update` does in one repo; one repo's
refusal or failure never stops the others, and each ends as one row: updated, current,
conflicts, refused or failed. The `--repos` file is parsed by the linter's own
`sources.parse_repos_file`; those repos are cloned with their whole history (the merge base
lives in it) into `<cache>/update-clones/`, svc's scratch space: a conflict there is undone
(nobody would resolve it in a cache) and reported, to be resolved in a real checkout.

Repos run in a process pool (rendering is CPU-bound Python). Each template the repos use is
fetched, exported and checked once, before the pool starts, and every worker renders from that
one folder (so Jinja's compiled templates are reused from repo to repo, see render.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.scaffold.gitrepo import GitFailed, run_git, toplevel, try_git
from svc_serverless.scaffold.record import ANSWERS_PATH
from svc_serverless.scaffold.templates import Resolved, Source
from svc_serverless.scaffold.update import (
    BRANCH_PREFIX,
    Outcome,
    UpdateOptions,
    abort,
    source_for,
    update_repo,
)

POOL_THRESHOLD = 4  # below this many repos a process pool costs more than it saves
CLONE_TIMEOUT = 600.0


@dataclass(frozen=True)
class Job:
    """One repo to update, or a path that yielded an error row instead."""

    path: Path
    name: str
    error: str | None = None
    error_status: str = "refused"
    cached: bool = False  # a clone in svc's cache: conflicts are undone there


def local_jobs(paths: Sequence[Path]) -> list[Job]:
    """A path inside a git repo is that repo; any other folder holds repos (one level down)."""
    jobs: list[Job] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise SvcError(f"{path} does not exist: give service repos or folders holding them")
        root = toplevel(path.resolve())
        if root is not None:
            if root not in seen:
                seen.add(root)
                jobs.append(Job(root, root.name))
            continue
        if (path / ANSWERS_PATH).exists():  # a service folder that is not under git
            jobs.append(child_job(path))
            continue
        children = _children(path)
        if not children:
            raise SvcError(f"{path} is not in a git repository and holds none: give service "
                           "repos or folders holding them")
        for child in children:
            if child.resolve() not in seen:
                seen.add(child.resolve())
                jobs.append(child_job(child))
    return jobs


def _children(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    with os.scandir(folder) as scan:
        names = sorted(entry.name for entry in scan
                       if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."))
    return [folder / name for name in names
            if (folder / name / ".git").exists() or (folder / name / ANSWERS_PATH).exists()]


def child_job(child: Path) -> Job:
    if not (child / ".git").exists():
        return Job(child, child.name, f"{child} is not a git repository: svc update merges into "
                                      "git history; run `git init` and commit first")
    return Job(child.resolve(), child.name)


def clone_jobs(repos_file: Path, cache_dir: Path) -> list[Job]:
    from concurrent.futures import ThreadPoolExecutor

    from svc_serverless.linter.sources import CLONE_WORKERS, parse_repos_file

    sources = list(dict.fromkeys(parse_repos_file(repos_file)))
    clones = cache_dir / "update-clones"
    try:
        clones.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SvcError(f"cannot create clone cache {clones}: {err.strerror}; use --cache-dir") from None
    with ThreadPoolExecutor(max_workers=CLONE_WORKERS) as pool:
        return list(pool.map(lambda source: _clone_job(source, clones), sources))


def _clone_job(source: object, clones: Path) -> Job:
    from svc_serverless.linter.sources import RepoSource, repo_folder_name

    assert isinstance(source, RepoSource)
    target = clones / repo_folder_name(source.url)
    name = repo_folder_name(source.url).rsplit("-", 1)[0]
    shown = source.url + (f"@{source.branch}" if source.branch else "")
    try:
        clone_for_update(source.url, source.branch, target)
    except GitFailed as err:
        return Job(target, name, f"cannot clone {shown}: {err}", "failed", cached=True)
    return Job(target, name, cached=True)


def clone_for_update(url: str, branch: str | None, target: Path) -> None:
    """A clone with its whole history (the merge base is in it), at the tip of `branch`.

    The cache is svc's scratch space: an existing clone is fetched, reset to the remote tip,
    and rid of local update branches an earlier run left (their pushed copies are on the
    remote).
    """
    if not (target / ".git").is_dir():
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            options = ["--no-tags", "--single-branch", "--filter=blob:none"]
            if branch:
                options += ["--branch", branch]
            run_git(target.parent, ["clone", "--quiet", *options, "--", url, str(tmp)],
                    timeout=CLONE_TIMEOUT)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)
        return
    try_git(target, ["merge", "--abort"])
    run_git(target, ["fetch", "--quiet", "origin", branch or "HEAD"], timeout=CLONE_TIMEOUT)
    local = branch or _default_branch(target)
    run_git(target, ["switch", "--quiet", "--force", "-C", local, "FETCH_HEAD"])
    run_git(target, ["clean", "--quiet", "-d", "--force", "-x"])
    stale = run_git(target, ["for-each-ref", "--format=%(refname:short)",
                             f"refs/heads/{BRANCH_PREFIX}*"]).split()
    if stale:
        run_git(target, ["branch", "--quiet", "-D", *stale])


def _default_branch(clone: Path) -> str:
    head = try_git(clone, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"])
    if head.code == 0 and head.out.strip():
        return head.out.strip().removeprefix("origin/")
    current = try_git(clone, ["symbolic-ref", "--quiet", "--short", "HEAD"])
    name = current.out.strip()
    return name if current.code == 0 and name and not name.startswith(BRANCH_PREFIX) else "main"


def run_job(job: Job, options: UpdateOptions) -> Outcome:
    """One repo's row. Runs in a worker process."""
    if job.error is not None:
        return Outcome(job.path, job.error_status, job.error)
    try:
        outcome = update_repo(job.path, options)
    except SvcError as err:
        return Outcome(job.path, "refused", str(err))
    except GitFailed as err:
        return Outcome(job.path, "failed", f"git failed: {err}")
    except OSError as err:
        return Outcome(job.path, "failed", f"{err.__class__.__name__}: {err.strerror or err}")
    if job.cached and outcome.status == "conflicts":
        # Nobody resolves conflicts in svc's cache: undo the merge, report the files.
        outcome = replace(abort(outcome), branch=None)
    return outcome


def sources(jobs: Sequence[Job], options: UpdateOptions) -> list[Source]:
    """The distinct templates the repos will render (as each repo's own plan would pick)."""
    import svc_serverless
    from svc_serverless.scaffold.migrations import migrate
    from svc_serverless.scaffold.record import read

    found: list[Source] = []
    for job in jobs:
        if job.error is not None:
            continue
        try:
            source = source_for(migrate(read(job.path), svc_serverless.__version__), options)
        except SvcError:
            continue  # the job itself reports it
        if source not in found:
            found.append(source)
    return found


def open_templates(stack: ExitStack, wanted: Sequence[Source],
                   cache_dir: Path) -> tuple[Resolved, ...]:
    """Fetch, export and check each template once for every repo that renders it."""
    from svc_serverless.scaffold.templates import opened

    ready = []
    for source in wanted:
        try:
            ready.append(stack.enter_context(opened(source, cache_dir, fetch=True)))
        except SvcError:
            continue  # each repo using it tries again, and is refused with the reason
    return tuple(ready)


def run_all(jobs: Sequence[Job], options: UpdateOptions, workers: int) -> list[Outcome]:
    """Every job's outcome, in input order; in a process pool when it pays off."""
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        return [run_job(job, options) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    # fork: workers inherit cookiecutter and GitPython instead of importing them again.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(partial(run_job, options=options), jobs, chunksize=1))


def worker_count(requested: int, jobs: int) -> int:
    if requested > 0:
        return min(requested, jobs)
    return max(1, min(os.cpu_count() or 1, jobs))


def update_many(paths: Sequence[Path], repos_file: Path | None, options: UpdateOptions,
                jobs_wanted: int) -> list[tuple[Job, Outcome]]:
    from svc_serverless.scaffold.templates import default_cache_dir

    cache_dir = options.cache_dir or default_cache_dir()
    jobs = local_jobs(paths)
    if repos_file is not None:
        jobs += clone_jobs(repos_file, cache_dir)
    if not jobs:
        raise SvcError("no repos to update: give service repos, folders holding them, or --repos")
    with ExitStack() as stack:
        ready = open_templates(stack, sources(jobs, options), cache_dir)
        worker_options = replace(options, cache_dir=cache_dir, opened=ready)
        outcomes = run_all(jobs, worker_options, worker_count(jobs_wanted, len(jobs)))
    return list(zip(jobs, outcomes))

