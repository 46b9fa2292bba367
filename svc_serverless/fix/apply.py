"""`svc lint --fix`: lint, let each fixable rule change the repo, check, write, lint again.

The fixes of one round are collected in a `FixContext` (nothing written yet); the edited
template must parse with svc's own loader or nothing of that round is written. Rounds repeat
(at most `MAX_ROUNDS`) while they change something, since one fix can make another possible
(KMS001 adds a key, then KMS002 can use it). The report at the end is an ordinary `svc lint`
run over the fixed repos.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from svc_serverless.edit.write import check_yaml, write_atomic
from svc_serverless.edit.yamledit import EditError
from svc_serverless.errors import SvcError
from svc_serverless.fix.context import FixContext
from svc_serverless.linter.rule import Finding, Rule

MAX_ROUNDS = 3
LintFn = Callable[[Path, str, str], list[Finding]]


@dataclass(frozen=True)
class FixOptions:
    unsafe: bool = False
    dry_run: bool = False
    allow_dirty: bool = False


@dataclass
class RepoFix:
    """What --fix did to one repo: findings of fixable rules before and after, and notes."""

    name: str
    before: set[str] = field(default_factory=set)  # fingerprints
    after: set[str] = field(default_factory=set)
    remaining: int = 0  # unsuppressed findings of any rule after fixing
    notes: list[str] = field(default_factory=list)
    diff: str = ""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=False)


def in_git(root: Path) -> bool:
    result = _git(root, "rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def refuse_dirty(root: Path, shown: str) -> None:
    """Refuse a git work tree with changes: --fix must be reviewable as its own diff."""
    if in_git(root) and _git(root, "status", "--porcelain", "--", ".").stdout.strip():
        raise SvcError(f"{shown} has uncommitted changes: commit or stash them first, "
                       "or pass --allow-dirty")


def _fixable(findings: Sequence[Finding], rules: dict[str, Rule]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        rule = rules.get(finding.rule)
        if not finding.suppressed and rule is not None and rule.fix is not None:
            grouped.setdefault(finding.rule, []).append(finding)
    return grouped


def _collect(ctx: FixContext, grouped: dict[str, list[Finding]], rules: dict[str, Rule]) -> None:
    for code, found in grouped.items():
        fix = rules[code].fix
        assert fix is not None
        with ctx.attempt(code):
            fix(ctx, found)


def _new_template(ctx: FixContext) -> tuple[str, str, str] | None:
    """(path, old text, new text) of the edited template, checked; None when unchanged."""
    editor = ctx._editor
    if editor is None or not editor.changed:
        return None
    text = editor.text()
    check_yaml(text, "template")
    return ctx.template_path, editor.original, text


def _diff(ctx: FixContext, template: tuple[str, str, str] | None) -> str:
    out: list[str] = []
    if template is not None:
        path, old, new = template
        out += difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                    f"a/{path}", f"b/{path}")
    for path, text in ctx.new_files.items():
        out += difflib.unified_diff([], text.splitlines(True), "/dev/null", f"b/{path}")
    for old, new in ctx.renames:
        out.append(f"rename {old}/ -> {new}/\n")
    return "".join(out)


def _write(ctx: FixContext, template: tuple[str, str, str] | None) -> None:
    root = ctx.root
    if template is not None:
        write_atomic(root / template[0], template[2])
    for path, text in ctx.new_files.items():
        target = root / path
        if not target.exists():  # never overwrite: it may have appeared since the lint
            write_atomic(target, text)
    git = in_git(root) if ctx.renames else False
    for old, new in ctx.renames:
        moved = git and _git(root, "mv", "--", old, new).returncode == 0
        if not moved:
            (root / old).rename(root / new)


def fix_repo(root: Path, name: str, shown: str, lint: LintFn, rules: dict[str, Rule],
             options: FixOptions) -> RepoFix:
    from svc_serverless.linter.model import load_repo

    outcome = RepoFix(name)
    findings = lint(root, name, shown)
    outcome.before = {f.fingerprint for f in findings if f.rule in rules and rules[f.rule].fix}
    for _ in range(1 if options.dry_run else MAX_ROUNDS):
        grouped = _fixable(findings, rules)
        if not grouped:
            break
        ctx = FixContext(root, load_repo(root, name=name), unsafe=options.unsafe)
        _collect(ctx, grouped, rules)
        try:
            template = _new_template(ctx)
        except EditError as err:
            outcome.notes.append(f"nothing written: {err}")
            break
        outcome.notes = ctx.notes
        if template is None and not ctx.new_files and not ctx.renames:
            break
        if options.dry_run:
            outcome.diff = _diff(ctx, template)
            break
        _write(ctx, template)
        findings = lint(root, name, shown)
    outcome.after = {f.fingerprint for f in findings if f.rule in rules and rules[f.rule].fix}
    outcome.remaining = sum(1 for f in findings if not f.suppressed)
    return outcome


def run_fix(options: object, fix: FixOptions) -> int:
    """`svc lint --fix [--dry-run] [--unsafe-fixes]`: fix every repo, then report as svc lint."""
    from svc_serverless.linter.custom.organisation import load_organisation
    from svc_serverless.linter.discover import current_folder
    from svc_serverless.linter.engine import lint_repo
    from svc_serverless.linter.run import LintOptions, check_codes, collect_targets, run_lint

    assert isinstance(options, LintOptions)
    if options.repos_file or options.facts_dir or options.write_baseline or options.show_settings:
        raise SvcError("--fix works on repos in folders: not with --repos, --facts, "
                       "--write-baseline or --show-settings")
    organisation = load_organisation(options.config)
    known = organisation.rules.all_rules
    select = check_codes("--select", options.select, known)
    ignore = check_codes("--ignore", options.ignore, known)
    targets = [t for t in collect_targets(options, current_folder()) if t.error is None]
    if not targets:
        raise SvcError("nothing to fix: give a repo path")
    if not (fix.allow_dirty or fix.dry_run):
        for target in targets:
            refuse_dirty(target.root, target.display)
    rules = {r.code: r for r in known if isinstance(r, Rule)}

    def lint(root: Path, name: str, shown: str) -> list[Finding]:
        result = lint_repo(root, organisation.policy, [r for r in known if isinstance(r, Rule)],
                           no_suppressions=options.no_suppressions, cli_select=select,
                           cli_ignore=ignore, display_path=shown, name=name)
        return list(result.findings)

    outcomes = [fix_repo(t.root, t.name or t.root.name, t.display, lint, rules, fix)
                for t in targets]
    for outcome in outcomes:
        for note in outcome.notes:
            print(f"svc: {outcome.name}: {note}", file=sys.stderr)
    fixed = sum(len(o.before - o.after) for o in outcomes)
    if fix.dry_run:
        diff = "".join(o.diff for o in outcomes)
        sys.stdout.write(diff)
        fixable = sum(1 for o in outcomes if o.diff)
        print(f"svc: --dry-run: {fixable} repo(s) would change; nothing written", file=sys.stderr)
        return 1 if diff else 0
    remaining = sum(o.remaining for o in outcomes)
    print(f"svc: fixed {fixed} finding(s), {remaining} remaining", file=sys.stderr)
    return run_lint(replace(options, use_cache=False))
