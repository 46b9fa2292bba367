"""git for `svc update` and `svc check`: commands that never prompt, and one repo's state.

GitPython runs git (its command runner only: the plumbing svc needs is a handful of commands,
and git's own merge is the point). Every command gets a non-interactive environment, so a
private remote without credentials fails fast instead of hanging a CI job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

# Files in the git folder that mean an operation is half done, and how to get out of it.
IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "finish it (git commit) or abort it (git merge --abort)"),
    ("rebase-merge", "a rebase", "finish it (git rebase --continue) or abort it (git rebase --abort)"),
    ("rebase-apply", "a rebase", "finish it (git rebase --continue) or abort it (git rebase --abort)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it or abort it (git cherry-pick --abort)"),
    ("REVERT_HEAD", "a revert", "finish it or abort it (git revert --abort)"),
    ("BISECT_LOG", "a bisect", "end it (git bisect reset)"),
)


class GitFailed(Exception):
    """A git command failed; the message is git's most telling line."""


@dataclass(frozen=True)
class GitResult:
    code: int
    out: str
    err: str


# As linter/sources.py's clones (not imported from there: it loads the linter's YAML reader,
# a cost `svc check` on every CI run should not pay).
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never"}


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    return {**_NO_PROMPT, **(extra or {})}  # GitPython adds them to os.environ


def try_git(where: Path, args: Sequence[str], *, env: Mapping[str, str] | None = None,
            timeout: float | None = None, git_dir: bool = False,
            stdin: BinaryIO | None = None) -> GitResult:
    """Run git in `where` (a work tree, or with `git_dir` a bare repo); never raises on failure."""
    import git

    command = ["git", f"--git-dir={where}", *args] if git_dir else ["git", *args]
    runner = git.Git(str(where))
    # with_extended_output: a (status, stdout, stderr) triple, whatever the declared union says
    result: Any = runner.execute(command, istream=stdin, with_extended_output=True,
                                 with_exceptions=False, env=_env(env), kill_after_timeout=timeout,
                                 strip_newline_in_stdout=False)
    code, out, err = result
    return GitResult(int(code), str(out), str(err))


def run_git(where: Path, args: Sequence[str], *, env: Mapping[str, str] | None = None,
            timeout: float | None = None, git_dir: bool = False,
            stdin: BinaryIO | None = None) -> str:
    """Run git and return its output; a failure raises GitFailed with git's own reason."""
    result = try_git(where, args, env=env, timeout=timeout, git_dir=git_dir, stdin=stdin)
    if result.code != 0:
        raise GitFailed(first_line(result.err) or f"git {args[0]} exited {result.code}")
    return result.out


def first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    telling = [line for line in lines if line.startswith(("fatal:", "error:", "remote:"))]
    return (telling or lines or [""])[0]


@dataclass(frozen=True)
class RepoState:
    """What `svc update` must know before it touches a repo."""

    root: Path
    git_dir: Path
    shallow: bool
    head: str | None  # None: no commit yet
    branch: str | None  # None: detached HEAD
    changes: tuple[str, ...]  # `git status --porcelain` lines, untracked files included
    in_progress: tuple[str, str] | None  # (what, how to get out) of a half-done operation


def toplevel(path: Path) -> Path | None:
    """The work tree holding `path`, or None outside any git repo."""
    folder = path if path.is_dir() else path.parent
    result = try_git(folder, ["rev-parse", "--show-toplevel"])
    return Path(result.out.strip()) if result.code == 0 and result.out.strip() else None


def state(root: Path) -> RepoState:
    paths = run_git(root, ["rev-parse", "--absolute-git-dir", "--is-shallow-repository"]).split("\n")
    git_dir = Path(paths[0])
    status = run_git(root, ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"])
    head: str | None = None
    branch: str | None = None
    changes = []
    for entry in status.split("\x00"):
        if entry.startswith("# branch.oid "):
            oid = entry.removeprefix("# branch.oid ")
            head = None if oid == "(initial)" else oid
        elif entry.startswith("# branch.head "):
            name = entry.removeprefix("# branch.head ")
            branch = None if name == "(detached)" else name
        elif entry[:2] in ("1 ", "2 ", "u ", "? "):  # a rename's second path is its own entry
            changes.append(entry)
    in_progress = next(((what, how) for name, what, how in IN_PROGRESS
                        if (git_dir / name).exists()), None)
    return RepoState(root, git_dir, paths[1].strip() == "true", head, branch, tuple(changes),
                     in_progress)
