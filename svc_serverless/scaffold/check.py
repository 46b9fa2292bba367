"""`svc check`: is the repo's last template render what this svc would render now?

Exit 0 when the newest pristine commit in the repo's history (`history.py`) equals what the
installed svc renders from the repo's answers and recorded template, 1 when it is behind
(the files that would change, with line counts), 2 when it cannot tell (and why).

Built for every CI run: no merge, no network (a git template is rendered from the cache as
it is), nothing written to the repo. When the last render was made by this very svc version
from the same template and answers, the answer follows from the answers files alone; only
otherwise does svc render and compare blob ids with the pristine tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import svc_serverless
from svc_serverless.errors import SvcError
from svc_serverless.scaffold import history, migrations, record, render, templates, treediff
from svc_serverless.scaffold.answers import Answer
from svc_serverless.scaffold.history import Base
from svc_serverless.scaffold.record import ANSWERS_PATH, BUNDLED_ORIGIN


@dataclass(frozen=True)
class Verdict:
    root: Path
    base: Base
    changes: tuple[tuple[str, str, tuple[int, int] | None], ...]  # (A/M/D, path, +/- lines)

    @property
    def current(self) -> bool:
        return not self.changes


def check_repo(path: Path, cache_dir: Path | None) -> Verdict:
    from svc_serverless.scaffold.gitrepo import run_git
    from svc_serverless.scaffold.update import find_root

    root = find_root(path)
    head = record.read(root)
    current = svc_serverless.__version__
    if migrations.version_key(head.svc_version) > migrations.version_key(current):
        raise SvcError(f"{root} was rendered by svc {head.svc_version}, newer than this svc "
                       f"{current}: upgrade svc to check it")
    shallow = run_git(root, ["rev-parse", "--is-shallow-repository"]).strip() == "true"
    base = history.find_base(root, head, shallow)
    migrated = migrations.migrate(head, current)
    source = templates.source_of(migrated.origin or BUNDLED_ORIGIN)
    with templates.opened(source, cache_dir, fetch=False) as resolved:
        answers = render.check_answers(migrated.answers, resolved.variables, str(root / ANSWERS_PATH))
        if _same_render(root, base, resolved, answers):
            return Verdict(root, base, ())
        with render.scratch() as tmp:
            project, _ = render.render_into(resolved, answers, Path(tmp))
            return Verdict(root, base, _changes(root, base, project))


def _same_render(root: Path, base: Base, resolved: templates.Resolved,
                 answers: dict[str, Answer]) -> bool:
    """Whether the base was rendered by this svc from this template and these answers.

    The base's answers file holds every final answer (defaults included), so when the
    template is unchanged, equal given answers mean an equal render.
    """
    if (base.svc_version, base.fingerprint) != (svc_serverless.__version__, resolved.fingerprint):
        return False
    raw = history.file_at(root, base.commit, ANSWERS_PATH)
    if raw is None:
        return False
    try:
        made = record.parse(raw, ANSWERS_PATH)
    except SvcError:
        return False
    return made.origin == resolved.origin and dict(made.answers) == answers


def _changes(root: Path, base: Base,
             project: Path) -> tuple[tuple[str, str, tuple[int, int] | None], ...]:
    old = treediff.tree_entries(root, base.tree)
    changes = treediff.compare(old, treediff.folder_entries(project, treediff.algorithm_of(base.tree)))
    return tuple((status, path, treediff.stat(before, after))
                 for status, path, before, after in treediff.contents(root, old, project, changes))


def print_verdict(verdict: Verdict) -> int:
    base = verdict.base
    where = f"{base.commit[:12]} (svc {base.svc_version or '?'})"
    if verdict.current:
        print(f"{verdict.root.name}: current: the last template commit {where} is what svc "
              f"{svc_serverless.__version__} renders")
        return 0
    count = len(verdict.changes)
    print(f"{verdict.root.name}: behind: svc {svc_serverless.__version__} renders "
          f"{count} file{'s' * (count != 1)} differently from the last template commit {where}")
    for status, path, lines in verdict.changes:
        counts = "binary" if lines is None else " ".join(
            part for part in (f"+{lines[0]}" if lines[0] else "", f"-{lines[1]}" if lines[1] else "")
            if part) or "mode"
        print(f"  {status} {path}  ({counts})")
    print("run `svc update` to merge them (`svc update --dry-run` shows the diff)")
    return 1
