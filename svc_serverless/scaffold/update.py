"""`svc update` in one repo: render the template again and merge it with git's own 3-way merge.

1. Refuse, changing nothing, unless the repo is an svc repo on a branch with a clean working
   tree, no merge or rebase half done, and a known base (`history.find_base`).
2. Migrate the recorded answers (`migrations.py`), check them, apply `--data`, and render
   into a temporary folder outside the repo.
3. Compare the render with the base's tree: identical means already current (exit 0, nothing
   written anywhere).
4. Otherwise commit the render as the next pristine commit (parent: the base) through a
   temporary index, and `git merge --no-ff` it into a new branch `svc/update-<version>` (or
   the current branch with `--in-place`). The merge base is the previous render, so git merges
   only what the template changed: disjoint changes merge silently, overlapping ones stop
   with conflict markers, a file the user deleted and the template changed is a
   modify/delete conflict, and nothing the user wrote is dropped without a conflict.

svc never rewrites history: it only adds commits and one branch. Git hooks do not run for
svc's merge (as for `svc new`'s commit): the merge is svc's, and the user reviews it before it
reaches their main branch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import svc_serverless
from svc_serverless.errors import SvcError
from svc_serverless.scaffold import history, migrations, record, render, templates, treediff
from svc_serverless.scaffold.gitrepo import RepoState, first_line, run_git, try_git
from svc_serverless.scaffold.history import Base
from svc_serverless.scaffold.record import ANSWERS_PATH, BUNDLED, Record

BRANCH_PREFIX = "svc/update-"
_NO_HOOKS = "core.hooksPath=/dev/null/svc-runs-no-hooks"


@dataclass(frozen=True)
class UpdateOptions:
    in_place: bool = False
    data: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    ref: str | None = None
    template: templates.Source | None = None  # switch to another template
    base: str | None = None
    push: bool = False
    cache_dir: Path | None = None  # default ~/.cache/svc (git templates only)
    # Templates already fetched, exported and checked by the caller (`svc update` over many
    # repos opens each one once); a repo whose source is among them renders from it.
    opened: tuple[templates.Resolved, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What happened to one repo. `status`: updated, current, conflicts, refused, failed."""

    repo: Path
    status: str
    detail: str = ""
    branch: str | None = None
    changed: tuple[tuple[str, str], ...] = ()  # (A/M/D, path) the template changed
    conflicts: tuple[str, ...] = ()
    base: Base | None = None
    pristine: str | None = None
    from_branch: str | None = None
    diff: str = ""  # --dry-run: the patch the merge would apply
    notes: tuple[str, ...] = ()
    pushed: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything read before anything is written."""

    root: Path
    state: RepoState
    head: Record
    base: Base
    migrated: migrations.Migrating
    source: templates.Source


def find_root(path: Path) -> Path:
    from svc_serverless.scaffold.gitrepo import toplevel

    if not path.exists():
        raise SvcError(f"{path} does not exist: give the folder of a service repo")
    root = toplevel(path.resolve())
    if root is None:
        raise SvcError(f"{path} is not in a git repository: run this inside a service repo "
                       "made by `svc new`")
    return root


def plan(path: Path, options: UpdateOptions) -> Plan:
    """Read the repo and refuse (SvcError) anything svc must not update; writes nothing."""
    from svc_serverless.scaffold.gitrepo import state as repo_state

    root = find_root(path)
    if not (root / ANSWERS_PATH).exists():
        raise SvcError(f"{root} was not made by svc (no {ANSWERS_PATH}): `svc update` works on "
                       "repos made by `svc new`")
    state = repo_state(root)
    if state.head is None:
        raise SvcError(f"{root} has no commit yet: commit the repo first")
    if state.in_progress is not None:
        what, how = state.in_progress
        raise SvcError(f"{root} is in the middle of {what}: {how} first")
    if state.changes:
        count = len(state.changes)
        raise SvcError(f"{root} has uncommitted changes ({count} file{'s' * (count != 1)}): "
                       "commit or stash them (git stash -u) first")
    if state.branch is None:
        raise SvcError(f"{root} has no branch checked out (detached HEAD): check out a branch "
                       "first")
    head = record.read(root)
    current = svc_serverless.__version__
    if migrations.version_key(head.svc_version) > migrations.version_key(current):
        raise SvcError(f"{root} was rendered by svc {head.svc_version}, newer than this svc "
                       f"{current}: upgrade svc first")
    base = history.find_base(root, head, state.shallow, options.base)
    migrated = migrations.migrate(head, current)
    return Plan(root, state, head, base, migrated, source_for(migrated, options))


def source_for(migrated: migrations.Migrating, options: UpdateOptions) -> templates.Source:
    """The template to render: --template, else the recorded one; at --ref if given."""
    source = options.template or templates.source_of(migrated.origin or record.BUNDLED_ORIGIN)
    if options.ref is not None:
        source = templates.with_ref(source, options.ref)
    return source


def update_repo(path: Path, options: UpdateOptions) -> Outcome:
    """Update one repo; refusals raise SvcError before anything is written."""
    planned = plan(path, options)
    ready = next((t for t in options.opened if t.source == planned.source), None)
    if ready is not None:
        return _update(planned, ready, options)
    with templates.opened(planned.source, options.cache_dir, fetch=True) as resolved:
        return _update(planned, resolved, options)


def _update(planned: Plan, resolved: templates.Resolved, options: UpdateOptions) -> Outcome:
    root, base = planned.root, planned.base
    where = str(root / ANSWERS_PATH)
    answers = render.check_answers(planned.migrated.answers, resolved.variables, where)
    answers.update(render.check_data(options.data, resolved.variables))
    _verify_root_base(planned, resolved)
    notes = _notes(planned)
    with render.scratch() as tmp:
        project, made = render.render_into(resolved, answers, Path(tmp))
        old = treediff.tree_entries(root, base.tree)
        moves = [(a, b) for a, b in planned.migrated.moves if a in old and b not in old]
        notes += tuple(f"migration: {a} moved to {b}" for a, b in moves)
        changes = treediff.compare(old, treediff.folder_entries(project, treediff.algorithm_of(base.tree)))
        outcome = Outcome(root, "current", base=base, from_branch=planned.state.branch,
                          changed=tuple(changes.paths()), notes=notes)
        if not changes and not moves:
            return replace(outcome, detail=f"already current with {_render_name(made)}")
        if options.dry_run:
            return replace(outcome, status="dry-run", diff=_patch(root, old, project, changes),
                           detail=f"{len(changes.paths())} files would change")
        branch = branch_name(made)
        # On its own update branch (say, after resolving a first conflict), svc merges there.
        in_place = options.in_place or planned.state.branch == branch
        if in_place:
            branch = planned.state.branch or branch
        return _commit_and_merge(planned, project, made, moves, branch, in_place, options,
                                 outcome)


def _commit_and_merge(planned: Plan, project: Path, made: Record, moves: list[tuple[str, str]],
                      branch: str | None, in_place: bool, options: UpdateOptions,
                      outcome: Outcome) -> Outcome:
    root, base = planned.root, planned.base
    assert branch is not None  # plan() refused a detached HEAD
    if not in_place:
        if try_git(root, ["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"]).code == 0:
            raise SvcError(f"branch {branch} already exists in {root}: merge it, or delete it "
                           f"(git branch -D {branch}) and run svc update again")
        run_git(root, ["check-ref-format", "--branch", branch])
    parent = base.commit
    if moves:
        moved_tree = history.move_files(root, base.tree, moves)
        parent = history.commit_pristine(
            root, moved_tree, base.commit, f"svc: move template files for svc {made.svc_version}",
            "Moves files as the template did, so the update merges them as renames:\n"
            + "".join(f"  {a} -> {b}\n" for a, b in moves), base.svc_version, base.fingerprint)
    tree = history.write_tree(root, project)
    pristine = history.commit_pristine(
        root, tree, parent, f"svc: template render, {_render_name(made)}",
        "svc's unmodified render of the template with this repo's answers. `svc update`\n"
        "merges it into your branch; it is the base of the next update: never amend it.",
        made.svc_version, made.fingerprint)
    if not in_place:
        run_git(root, ["switch", "--quiet", "-c", branch])
    outcome = replace(outcome, branch=branch, pristine=pristine)
    steps = [(parent, f"Move files as svc {made.svc_version}'s template does")] if moves else []
    steps.append((pristine, f"Update to {_render_name(made)}"))
    for number, (commit, subject) in enumerate(steps, start=1):
        result = _merge(root, commit, subject)
        if result is not None:
            if number < len(steps):
                second = ("this was the first of two merges: after committing it, run "
                          "`svc update` again (on this branch) for the rest")
                outcome = replace(outcome, notes=outcome.notes + (second,))
            return _stopped(planned, outcome, result, in_place)
    outcome = replace(outcome, status="updated",
                      detail=f"merged {_render_name(made)} into {branch}")
    if options.push:
        outcome = push(outcome)
    return outcome


def _merge(root: Path, commit: str, subject: str) -> str | None:
    """Merge `commit`; None on success, else git's reason (the merge is left as git left it)."""
    message = (f"{subject}\n\nMerged by `svc update`. The template's changes since the last "
               "update; resolve any conflict as in any merge.\n")
    result = try_git(root, [*_identity(root), "-c", _NO_HOOKS, "merge", "--no-ff", "--no-edit",
                            "--no-rerere-autoupdate", "-m", message, commit])
    return None if result.code == 0 else (first_line(result.err) or first_line(result.out)
                                          or f"git merge exited {result.code}")


def _stopped(planned: Plan, outcome: Outcome, reason: str, in_place: bool) -> Outcome:
    root = planned.root
    conflicted = run_git(root, ["diff", "--name-only", "-z", "--diff-filter=U"]).split("\x00")
    conflicts = tuple(sorted(path for path in conflicted if path))
    if conflicts:
        return replace(outcome, status="conflicts", conflicts=conflicts,
                       detail=f"{len(conflicts)} file{'s' * (len(conflicts) != 1)} in conflict")
    # Not a conflict (e.g. a signing failure): leave the repo as it was.
    try_git(root, ["merge", "--abort"])
    if not in_place and outcome.branch and planned.state.branch:
        try_git(root, ["switch", "--quiet", planned.state.branch])
        try_git(root, ["branch", "-D", outcome.branch])
    return replace(outcome, status="failed", branch=None, detail=f"git merge failed: {reason}")


def abort(outcome: Outcome) -> Outcome:
    """Undo a conflicted update entirely (used for clones in svc's cache, which nobody edits)."""
    root = outcome.repo
    try_git(root, ["merge", "--abort"])
    if outcome.from_branch and outcome.branch and outcome.branch != outcome.from_branch:
        try_git(root, ["switch", "--quiet", outcome.from_branch])
        try_git(root, ["branch", "-D", outcome.branch])
    return outcome


def push(outcome: Outcome) -> Outcome:
    """Push the update branch to the repo's remote: never force, never the branch it came from."""
    root, branch = outcome.repo, outcome.branch
    if branch is None or not branch.startswith(BRANCH_PREFIX):
        return replace(outcome, status="failed", detail="svc pushes only its svc/update-* branches")
    remotes = run_git(root, ["remote"]).split()
    remote = "origin" if "origin" in remotes else (remotes[0] if len(remotes) == 1 else None)
    if remote is None:
        return replace(outcome, status="failed",
                       detail=f"updated on {branch}, not pushed: no remote (or no origin)")
    ref = f"refs/heads/{branch}"
    result = try_git(root, ["-c", _NO_HOOKS, "push", "--porcelain", "--", remote, f"{ref}:{ref}"],
                     timeout=templates.NETWORK_TIMEOUT)
    if result.code != 0:
        return replace(outcome, status="failed",
                       detail=f"updated on {branch}, push failed: {first_line(result.err)}")
    return replace(outcome, pushed=True, detail=outcome.detail + f"; pushed to {remote}")


def branch_name(made: Record) -> str:
    name = BRANCH_PREFIX + made.svc_version
    origin = made.origin
    if origin is not None and origin.source != BUNDLED:
        # An organisation's template changes without svc's version changing.
        name += "-" + (origin.commit or made.fingerprint.rpartition(":")[2])[:10]
    return name


def _render_name(made: Record) -> str:
    if made.origin is None or made.origin.source == BUNDLED:
        return f"svc {made.svc_version}'s template"
    return f"template {made.origin.describe()} (svc {made.svc_version})"


def _identity(root: Path) -> list[str]:
    """A merge needs a committer: the user's identity, else svc's (a fresh CI runner has none)."""
    if os.environ.get("GIT_COMMITTER_EMAIL") or try_git(root, ["config", "user.email"]).code == 0:
        return []
    name, email = history.SVC_AUTHOR
    return ["-c", f"user.name={name}", "-c", f"user.email={email}"]


def _notes(planned: Plan) -> tuple[str, ...]:
    head, base = planned.head, planned.base
    notes = []
    if base.how == "root":
        notes.append(f"base: the root commit {base.commit[:12]} (made before svc marked its "
                     "template commits)")
    elif base.how == "pristine" and (head.svc_version, head.fingerprint) != (
            base.svc_version, base.fingerprint):
        notes.append(f"note: {ANSWERS_PATH} records a newer render than the last template commit "
                     f"{base.commit[:12]} in the history; was the last update squashed or rebased? "
                     "Merge update branches with a merge commit to keep the base")
    notes.extend(f"migration: {what}" for what in planned.migrated.applied)
    return tuple(notes)


def _verify_root_base(planned: Plan, resolved: templates.Resolved) -> None:
    """An unmarked base (root commit, --base) must be svc's unmodified render, or the merge
    would take what the user added there for template content: check it whenever this svc
    can render it again (same svc version and template), and refuse if it differs.
    """
    base = planned.base
    if base.how == "pristine" or base.fingerprint != resolved.fingerprint or \
            base.svc_version != svc_serverless.__version__:
        return
    root = planned.root
    raw = history.file_at(root, base.commit, ANSWERS_PATH)
    if raw is None:
        return
    made = record.parse(raw, f"{ANSWERS_PATH} in {base.commit[:12]}")
    answers = render.check_answers(made.answers, resolved.variables,
                                   f"{ANSWERS_PATH} in {base.commit[:12]}")
    with render.scratch() as tmp:
        project, _ = render.render_into(resolved, answers, Path(tmp))
        old = {p: e for p, e in treediff.tree_entries(root, base.tree).items() if p != ANSWERS_PATH}
        new = {p: e for p, e in treediff.folder_entries(
            project, treediff.algorithm_of(base.tree)).items() if p != ANSWERS_PATH}
    differs = treediff.compare(old, new).paths()
    if differs:
        shown = ", ".join(path for _, path in differs[:3]) + (", ..." if len(differs) > 3 else "")
        which = "root commit" if base.how == "root" else "--base commit"
        raise SvcError(f"{root}'s {which} {base.commit[:12]} is not svc's unmodified render "
                       f"(it differs in {shown}): pass the commit that holds svc's unmodified "
                       "render with `svc update --base COMMIT`")


def _patch(root: Path, old: treediff.Entries, project: Path, changes: treediff.Changes) -> str:
    return "".join(treediff.unified(path, before, after)
                   for _, path, before, after in treediff.contents(root, old, project, changes))

