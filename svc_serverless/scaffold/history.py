"""The pristine-commit chain: svc's own renders, kept in the repo's history as merge bases.

A pristine commit holds exactly what svc rendered (template + answers), nothing a person
wrote. `svc new` makes the first one (the repo's first commit); each `svc update` renders
again and commits the result with the previous pristine commit as its only parent, then
merges that commit into the user's branch. So the chain is reachable from every branch that
took an update and travels with every push and clone, and git's own merge base of the user's
branch and the new render is the previous render: a 3-way merge needs nothing else.

A pristine commit is recognised by two trailers:

    Svc-Template: 0.2.0 sha256:<template fingerprint>
    Svc-Tree: <the commit's own tree id>

`Svc-Tree` makes the mark unforgeable by accident: a squash or a rebase that copies the
message onto other content has another tree, and is not taken for a render. Pristine commits
made by `svc update` are authored and committed by `svc <svc@localhost>` (never signed): the
same on every machine, and plainly not a person's work. `svc new`'s first commit keeps the
user's identity, because it is also where their repo starts.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from svc_serverless.errors import SvcError
from svc_serverless.scaffold.gitrepo import run_git, try_git
from svc_serverless.scaffold.record import ANSWERS_PATH, Record
from svc_serverless.scaffold.record import parse as parse_record
from svc_serverless.scaffold.treediff import tree_entries

TEMPLATE_TRAILER = "Svc-Template"
TREE_TRAILER = "Svc-Tree"
SVC_AUTHOR = ("svc", "svc@localhost")
SEARCH_LIMIT = 50  # marked commits examined before giving up (copies fail the tree check)
_TEMPLATE_LINE = re.compile(rf"^{TEMPLATE_TRAILER}: (\S+) (\S+)$", re.MULTILINE)
_TREE_LINE = re.compile(rf"^{TREE_TRAILER}: ([0-9a-f]{{40}}|[0-9a-f]{{64}})$", re.MULTILINE)


@dataclass(frozen=True)
class Pristine:
    """A verified pristine commit: which svc rendered it, from which template."""

    commit: str
    tree: str
    svc_version: str
    fingerprint: str


def trailers(svc_version: str, fingerprint: str, tree: str) -> str:
    return f"{TEMPLATE_TRAILER}: {svc_version} {fingerprint}\n{TREE_TRAILER}: {tree}"


def parse(commit: str, tree: str, message: str) -> Pristine | None:
    """The pristine commit `commit` is, or None if it is not one (or a copy of one's message)."""
    templates, trees = _TEMPLATE_LINE.findall(message), _TREE_LINE.findall(message)
    if not templates or not trees or trees[-1] != tree:
        return None
    version, fingerprint = templates[-1]
    return Pristine(commit, tree, version, fingerprint)


def newest(root: Path, rev: str = "HEAD") -> Pristine | None:
    """The newest pristine commit reachable from `rev`, or None."""
    result = try_git(root, ["log", "--topo-order", "-z", "--format=%H%n%T%n%B",
                            f"--grep=^{TREE_TRAILER}: ", f"--max-count={SEARCH_LIMIT}", rev, "--"])
    if result.code != 0:
        return None
    for entry in result.out.split("\x00"):
        commit, _, rest = entry.strip("\n").partition("\n")
        tree, _, message = rest.partition("\n")
        found = parse(commit, tree, message)
        if found is not None:
            return found
    return None


def read_commit(root: Path, rev: str) -> tuple[str, str, str] | None:
    """(commit, tree, message) of `rev`, or None if it names no commit."""
    result = try_git(root, ["log", "-1", "-z", "--format=%H%n%T%n%B", "--end-of-options",
                            f"{rev}^{{commit}}", "--"])
    if result.code != 0 or not result.out.strip():
        return None
    commit, _, rest = result.out.strip("\x00\n").partition("\n")
    tree, _, message = rest.partition("\n")
    return commit, tree, message


def write_tree(root: Path, folder: Path) -> str:
    """Store every file under `folder` in the repo and return the tree id.

    A temporary index (GIT_INDEX_FILE): the user's index and working tree are never touched.
    `--force` because the render is the template's output whatever any ignore file says, so
    the same render gives the same tree on every machine.
    """
    git_dir = run_git(root, ["rev-parse", "--absolute-git-dir"]).strip()
    with tempfile.TemporaryDirectory(prefix="svc-index-") as tmp:
        env = {"GIT_DIR": git_dir, "GIT_WORK_TREE": str(folder),
               "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(folder, ["add", "--all", "--force", "--", "."], env=env)
        return run_git(folder, ["write-tree"], env=env).strip()


def move_files(root: Path, tree: str, moves: list[tuple[str, str]]) -> str:
    """`tree` with each file `old` moved to `new` (same content and mode); the new tree id."""
    with tempfile.TemporaryDirectory(prefix="svc-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(root, ["read-tree", tree], env=env)
        entries = tree_entries(root, tree)
        lines = []
        for old, new in moves:
            mode, sha = entries[old]
            lines.append(f"0 {'0' * len(sha)}\t{old}")  # mode 0 removes the path
            lines.append(f"{mode} {sha}\t{new}")
        _update_index(root, env, "\n".join(lines) + "\n")
        return run_git(root, ["write-tree"], env=env).strip()


def _update_index(root: Path, env: dict[str, str], info: str) -> None:
    with tempfile.TemporaryFile() as stdin:
        stdin.write(info.encode("utf-8"))
        stdin.seek(0)
        run_git(root, ["update-index", "--index-info"], env=env, stdin=stdin)


def commit_pristine(root: Path, tree: str, parent: str, subject: str, body: str,
                    svc_version: str, fingerprint: str) -> str:
    """Commit `tree` as the next pristine commit after `parent`; return its id."""
    name, email = SVC_AUTHOR
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    message = f"{subject}\n\n{body}\n\n{trailers(svc_version, fingerprint, tree)}\n"
    return run_git(root, ["commit-tree", "--no-gpg-sign", tree, "-p", parent, "-m", message],
                   env=env).strip()


@dataclass(frozen=True)
class Base:
    """The merge base of an update: the last render, and how it was found."""

    commit: str
    tree: str
    svc_version: str
    fingerprint: str
    how: str  # "pristine", "root" (a repo from before the chain) or "given" (--base)


def file_at(root: Path, rev: str, path: str) -> bytes | None:
    result = try_git(root, ["cat-file", "blob", f"{rev}:{path}"])
    return result.out.encode("utf-8", "surrogateescape") if result.code == 0 else None


def find_base(root: Path, head: Record, shallow: bool, given: str | None = None) -> Base:
    """The commit holding svc's last unmodified render of this repo; SvcError if none is known.

    In order: the commit `--base` names (it must be in HEAD's history), the newest pristine
    commit reachable from HEAD, and for repos made before the chain existed (svc 0.1.x) the
    root commit, when it holds the answers file that still describes the repo's template.
    """
    if given is not None:
        return _given_base(root, given)
    found = newest(root)
    if found is not None:
        return Base(found.commit, found.tree, found.svc_version, found.fingerprint, "pristine")
    if shallow:
        raise SvcError(f"{root} is a shallow clone without svc's template commit: run "
                       "`git fetch --unshallow` first")
    roots = run_git(root, ["rev-list", "--max-parents=0", "HEAD", "--"]).split()
    way_out = ("pass the commit that holds svc's unmodified render with "
               "`svc update --base COMMIT`")
    if len(roots) != 1:
        raise SvcError(f"{root} has no svc template commit in its history and {len(roots)} root "
                       f"commits: {way_out}")
    first = roots[0]
    raw = file_at(root, first, ANSWERS_PATH)
    if raw is None:
        raise SvcError(f"{root} has no svc template commit in its history, and its root commit "
                       f"{first[:12]} has no {ANSWERS_PATH}: {way_out}")
    try:
        made = parse_record(raw, f"{ANSWERS_PATH} in the root commit {first[:12]}")
    except SvcError:
        made = None
    if made is None or (made.svc_version, made.fingerprint) != (head.svc_version, head.fingerprint):
        raise SvcError(f"{root} has no svc template commit in its history, and its root commit "
                       f"{first[:12]} does not hold the render {ANSWERS_PATH} records "
                       f"(svc {head.svc_version}): {way_out}")
    tree = run_git(root, ["rev-parse", f"{first}^{{tree}}"]).strip()
    return Base(first, tree, made.svc_version, made.fingerprint, "root")


def _given_base(root: Path, given: str) -> Base:
    if given.startswith("-"):
        raise SvcError(f"--base {given!r} is not a commit: give a commit id")
    read = read_commit(root, given)
    if read is None:
        raise SvcError(f"--base {given!r} names no commit in {root}: give a commit id from "
                       "`git log`")
    commit, tree, message = read
    if try_git(root, ["merge-base", "--is-ancestor", commit, "HEAD"]).code != 0:
        raise SvcError(f"--base {given} is not in the history of HEAD: give a commit your branch "
                       "contains (svc merges into its history)")
    found = parse(commit, tree, message)
    raw = file_at(root, commit, ANSWERS_PATH)
    made = None
    if raw is not None:
        try:
            made = parse_record(raw, f"{ANSWERS_PATH} in {commit[:12]}")
        except SvcError:
            made = None
    version = found.svc_version if found else (made.svc_version if made else "")
    fingerprint = found.fingerprint if found else (made.fingerprint if made else "")
    return Base(commit, tree, version, fingerprint, "given")
