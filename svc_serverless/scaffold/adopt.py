"""`svc adopt [PATH]`: bring an existing SAM repo under svc without touching its code.

It writes only what is missing: `catalog-info.yaml` (from the facts svc infers from the
template), `CODEOWNERS`, a `README.md`, and `.svc/answers.json` recording that the repo was
adopted (template source `adopted`: ORG008 sees the svc version, and `svc update`/`svc check`
say plainly that there is no render to update from). An existing file is never overwritten.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from svc_serverless import __version__
from svc_serverless.errors import SvcError
from svc_serverless.linter.listing import TEMPLATE_NAMES

LIFECYCLES = ("experimental", "production", "deprecated")


@dataclass(frozen=True)
class AdoptOptions:
    path: Path
    name: str | None = None
    owner: str | None = None
    lifecycle: str = "production"
    dry_run: bool = False


def find_repo(path: Path) -> Path:
    """The service repo holding `path`: the nearest folder upward with a template."""
    folder = path.resolve()
    if not folder.is_dir():
        raise SvcError(f"{path} is not a folder: give the folder of a SAM repo")
    for candidate in (folder, *folder.parents):
        if any((candidate / name).is_file() for name in TEMPLATE_NAMES):
            return candidate
    raise SvcError(f"no template.yaml in {path} or a folder above it: run svc adopt in a SAM repo")


def _answers(name: str, owner: str) -> str:
    from svc_serverless.scaffold.record import ADOPTED, Origin, Record

    return Record(__version__, ADOPTED, Origin(ADOPTED),
                  {"service_name": name, "owner": owner}).to_json()


def plan_files(options: AdoptOptions) -> tuple[Path, dict[str, str], list[str]]:
    """(repo root, files to write, files kept); refuses (SvcError) before anything is written."""
    from svc_serverless.linter.facts import extract_facts
    from svc_serverless.linter.model import load_repo
    from svc_serverless.scaffold.repo_files import (
        CODEOWNERS_PLACES,
        NAME,
        TEAM,
        catalog_text,
        codeowners_text,
        owner_from_codeowners,
        readme_text,
        service_name_for,
    )

    root = find_repo(options.path)
    repo = load_repo(root)
    # A template svc cannot read still gets its files (ownership does not depend on it); its
    # manifest then declares no events or APIs until the template is fixed (adopt says so).
    facts = extract_facts(repo)
    codeowners = next((p for p in CODEOWNERS_PLACES if repo.exists(p)), None)
    owner = options.owner or facts.owner or owner_from_codeowners(
        repo.text(codeowners) or "" if codeowners else "")
    if not owner:
        raise SvcError("the owning team is unknown: pass --owner TEAM (e.g. --owner team-billing)")
    if not TEAM.match(owner.lstrip("@")):
        raise SvcError(f"--owner {owner!r} is not a team name (letters, digits, . _ -, "
                       "optionally org/team)")
    owner = owner.lstrip("@")
    name = options.name or (facts.service if facts.manifest else service_name_for(root.name))
    if not NAME.match(name) or not 3 <= len(name) <= 40:
        raise SvcError(f"--name {name!r} is not lower-case kebab-case of 3 to 40 characters")
    if options.lifecycle not in LIFECYCLES:
        raise SvcError(f"--lifecycle must be one of {', '.join(LIFECYCLES)}")
    wanted = {
        "catalog-info.yaml": catalog_text(facts, name, owner, options.lifecycle),
        "CODEOWNERS": codeowners_text(owner),
        "README.md": readme_text(name, owner),
        ".svc/answers.json": _answers(name, owner),
    }
    kept = []
    if codeowners is not None:
        kept.append(codeowners)
        del wanted["CODEOWNERS"]
    if any("/" not in f and f.upper().split(".")[0] == "README" for f in repo.files):
        kept.append(next(f for f in repo.files if "/" not in f and f.upper().split(".")[0] == "README"))
        del wanted["README.md"]
    for path in list(wanted):
        if (root / path).exists() or (root / path).is_symlink():
            kept.append(path)
            del wanted[path]
    return root, wanted, sorted(kept)


def adopt(options: AdoptOptions) -> int:
    from svc_serverless.edit.write import write_atomic

    root, wanted, kept = plan_files(options)
    if "catalog-info.yaml" in wanted and not _template_readable(root):
        print("note: svc cannot read the template (`svc lint` says why): catalog-info.yaml "
              "declares no events or APIs; add them once the template is fixed")
    verb = "would write" if options.dry_run else "wrote"
    if not options.dry_run:
        for path, text in wanted.items():
            write_atomic(root / path, text)
    for path in wanted:
        print(f"{verb} {path}")
    for path in kept:
        print(f"kept {path} (exists)")
    if not options.dry_run:
        _remaining(root)
    return 0


def _template_readable(root: Path) -> bool:
    from svc_serverless.linter.model import load_repo

    template = load_repo(root).template
    return template is not None and template.error is None


def _remaining(root: Path) -> None:
    """The findings left after adoption, by rule, and how many `svc lint --fix` can handle."""
    from svc_serverless.linter.config import Policy
    from svc_serverless.linter.engine import lint_repo
    from svc_serverless.linter.rule import Rule
    from svc_serverless.rules import ALL_RULES

    rules = [r for r in ALL_RULES if isinstance(r, Rule)]
    result = lint_repo(root, Policy(), rules, name=root.name)
    counts = Counter(f.rule for f in result.findings if not f.suppressed)
    fixable = {r.code for r in rules if r.fix is not None}
    if not counts:
        print("svc lint: no findings")
        return
    print("svc lint findings left (`svc lint` shows them):")
    for code, count in sorted(counts.items()):
        print(f"  {code}: {count}" + ("  (svc lint --fix may fix these)" if code in fixable else ""))
    print(f"{sum(counts.values())} finding(s), "
          f"{sum(c for code, c in counts.items() if code in fixable)} in rules --fix handles",
          file=sys.stdout)



