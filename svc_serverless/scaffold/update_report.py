"""What `svc update` prints: one repo's outcome with its next steps, or one row per repo.

Repo names, paths and git's messages reach the terminal; control characters are replaced so
a hostile folder name cannot rewrite the screen.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence

import svc_serverless
from svc_serverless.scaffold.fleet import Job
from svc_serverless.scaffold.update import Outcome

STATUSES = ("updated", "current", "dry-run", "conflicts", "refused", "failed")
SHOWN = {"updated": "updated", "current": "already current", "dry-run": "would change",
         "conflicts": "conflicts", "refused": "refused", "failed": "failed"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    return _CONTROL.sub("?", text)


def _files(count: int) -> str:
    return f"{count} file{'s' * (count != 1)}"


def print_one(outcome: Outcome) -> int:
    """One repo, with what to do next; the exit code (0 updated or current, 1 otherwise)."""
    name = safe(outcome.repo.name)
    for note in outcome.notes:
        print(safe(note))
    if outcome.status == "current":
        print(f"{name}: {safe(outcome.detail)}: nothing to do")
        return 0
    if outcome.status == "dry-run":
        sys.stdout.write(outcome.diff)
        print(f"{name}: the update would change {_files(len(outcome.changed))}; nothing was "
              "written (run without --dry-run to merge)")
        return 0
    if outcome.status == "failed":
        print(f"{name}: failed: {safe(outcome.detail)}", file=sys.stderr)
        return 1
    branch, origin = safe(outcome.branch or "?"), safe(outcome.from_branch or "your branch")
    if outcome.status == "conflicts":
        print(f"{name}: conflicts on branch {branch}: the template and your changes overlap in "
              f"{_files(len(outcome.conflicts))}:")
        for path in outcome.conflicts:
            print(f"  {safe(path)}")
        give_up = "git merge --abort" + (
            f" && git switch {origin} && git branch -D {branch}" if branch != origin else "")
        print("next: fix each file where git left <<<<<<< ======= >>>>>>> markers (or run "
              "`git mergetool`), `git add` it, then `git commit`; to give up: " + give_up)
        return 1
    where = f"in place on {branch}" if branch == origin else f"on branch {branch} (from {origin})"
    print(f"{name}: updated {where}: the template changed {_files(len(outcome.changed))}")
    for status, path in outcome.changed:
        print(f"  {status} {safe(path)}")
    if outcome.pushed:
        print(f"pushed {branch}: open a pull request from it (e.g. `gh pr create --head {branch}`)")
    if branch != origin:
        print(f"next: review it (git diff {origin}...{branch}) and run the tests, then merge it "
              f"with a merge commit (git switch {origin} && git merge --no-ff {branch}) or push "
              "it and open a pull request; do not squash or rebase it: svc's template commit in "
              "it is the next update's base")
    return 0


def row_detail(outcome: Outcome) -> str:
    if outcome.status == "updated":
        text = f"template changed {_files(len(outcome.changed))}"
        return text + ("; pushed" if outcome.pushed else "")
    if outcome.status == "dry-run":
        return f"{_files(len(outcome.changed))} would change"
    if outcome.status == "conflicts" and outcome.conflicts:
        text = f"conflicts in {', '.join(outcome.conflicts)}"
        if outcome.branch is None:
            text += " (undone in svc's clone cache: run `svc update` in a checkout to resolve them)"
        return text
    return outcome.detail


def summary(outcomes: Sequence[Outcome]) -> dict[str, int]:
    return {status: sum(1 for o in outcomes if o.status == status) for status in STATUSES}


def print_table(rows: Sequence[tuple[Job, Outcome]]) -> int:
    """One row per repo and a summary line; exit 0 only when every repo is updated or current."""
    table = [("repo", "result", "branch", "detail")]
    for job, outcome in rows:
        table.append((safe(job.name), SHOWN[outcome.status], safe(outcome.branch or "-"),
                      safe(row_detail(outcome))))
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    counts = summary([outcome for _, outcome in rows])
    print(f"{_files(len(rows)).replace('file', 'repo')}: " + ", ".join(
        f"{counts[status]} {SHOWN[status]}" for status in STATUSES
        if counts[status] or status not in ("dry-run",)))
    return exit_code(rows)


def exit_code(rows: Sequence[tuple[Job, Outcome]]) -> int:
    return 0 if all(o.status in ("updated", "current", "dry-run") for _, o in rows) else 1


def print_json(rows: Sequence[tuple[Job, Outcome]]) -> int:
    repos = [{
        "repo": job.name,
        "path": str(outcome.repo),
        "status": outcome.status,
        "branch": outcome.branch,
        "detail": row_detail(outcome),
        "changed": [{"status": status, "path": path} for status, path in outcome.changed],
        "conflicts": list(outcome.conflicts),
        "base": outcome.base.commit if outcome.base else None,
        "template_commit": outcome.pristine,
        "pushed": outcome.pushed,
    } for job, outcome in rows]
    report = {"svc_version": svc_serverless.__version__, "repos": repos,
              "summary": summary([outcome for _, outcome in rows])}
    print(json.dumps(report, indent=2))
    return exit_code(rows)
