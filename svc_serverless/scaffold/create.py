"""`svc new`: create a complete service repository from the template.

The order is the safety guarantee (DESIGN.md §6):

1. check every answer and the target before writing anything;
2. render with cookiecutter's library API (no hooks: the template has none, and every
   post-step is Python here) into a hidden staging folder next to the target, so the final
   move is a rename on the same filesystem;
3. drop the files of the options not chosen, record the answers, make the first commit;
4. rename the finished repo into place. Any failure removes the staging folder: no partial
   repo is ever left behind, and an existing folder is never written into. A stopping signal
   (SIGINT, SIGTERM, SIGHUP) does the same: `interrupt.signals_raise` makes it an exception.

`svc new` writes only what it rendered: the template is copied without build debris (pip
byte-compiles the template's .py files when it installs svc) before cookiecutter sees it, and
the first commit holds exactly the rendered files that the generated .gitignore does not ignore.

cookiecutter and GitPython are imported inside the functions that use them, so `svc lint`
never pays for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from svc_serverless import __version__
from svc_serverless.errors import SvcError
from svc_serverless.scaffold import record
from svc_serverless.scaffold.answers import (
    Answer,
    Choices,
    check_data,
    check_description,
    check_name,
    check_owner,
    check_svc_requirement,
    default_svc_requirement,
)
from svc_serverless.scaffold.history import trailers
from svc_serverless.scaffold.interrupt import signals_raise
from svc_serverless.scaffold.record import BUNDLED_ORIGIN, Origin

if TYPE_CHECKING:
    from svc_serverless.scaffold.templates import Resolved

TEMPLATE_DIR = Path(__file__).resolve().parent / "template"
ANSWERS_PATH = ".svc/answers.json"
_STAGING_PREFIX = ".svc-new-"
_CLEAN_TEMPLATE = ".template"  # in the staging folder: the template without debris
# What tools leave in a template folder: pip's byte-compiled files, test and type-check caches,
# file-browser and editor droppings. Never template content.
# .git: an organisation's template folder may be a checkout; its history is not template.
DEBRIS_FOLDERS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git"})
DEBRIS_FILES = ("*.pyc", "*.pyo", ".DS_Store", "Thumbs.db", "*.swp", "*~")
_FALLBACK_IDENTITY = ("svc", "svc@localhost")
_LABELS = {"runtime": "Lambda runtime", "architecture": "Lambda architecture", "ci": "CI system"}

Ask = Callable[[str], str]


@dataclass(frozen=True)
class NewRequest:
    """What `svc new` was asked for. None means "not given": use the default or ask."""

    name: str
    owner: str | None = None
    description: str | None = None
    runtime: str | None = None
    architecture: str | None = None
    ci: str | None = None
    workflow: bool = True
    output_dir: Path = Path(".")
    git: bool = True
    data: Mapping[str, str] = field(default_factory=dict)
    interactive: bool = False
    svc_requirement: str | None = None  # what generated files install svc with
    template: str | None = None  # --template SOURCE: a folder or git URL[@REF]
    config: Path | None = None  # organisation policy: scaffold.template, scaffold.svc-requirement
    cache_dir: Path | None = None  # where git templates are fetched (default ~/.cache/svc)


@dataclass(frozen=True)
class Template:
    """The template's declared variables (cookiecutter.json) and where it lives."""

    root: Path
    variables: Mapping[str, Any]

    def choices(self, key: str) -> Choices:
        return Choices(key, tuple(str(value) for value in self.variables[key]))

    @property
    def option_files(self) -> Mapping[str, list[str]]:
        """Globs of the files that belong to one option value (see `selected_groups`)."""
        files: Mapping[str, list[str]] = self.variables["_svc_files"]
        return files


def load_template(root: Path = TEMPLATE_DIR) -> Template:
    with (root / "cookiecutter.json").open(encoding="utf-8") as handle:
        return Template(root=root, variables=json.load(handle))


def new_service(request: NewRequest, ask: Ask = input) -> Path:
    """Create the service repository `request` describes; return its folder."""
    from svc_serverless.scaffold.render import sandboxed
    from svc_serverless.scaffold.templates import open_for_new

    # signals_raise first: the staging folder's `finally` must run on SIGTERM too.
    with signals_raise(), \
            open_for_new(request.template, request.config, request.cache_dir) as resolved, \
            sandboxed():
        return _new_service(request, resolved, ask)


def _new_service(request: NewRequest, resolved: Resolved, ask: Ask) -> Path:
    template = Template(root=resolved.root, variables=resolved.variables)
    name = check_name(request.name)
    output_dir = _checked_output_dir(request.output_dir)
    target = output_dir / name
    _refuse_existing(target)
    if request.git and shutil.which("git") is None:
        raise SvcError("git is not installed: install it, or pass --no-git")
    answers = resolve_answers(request, template, ask)

    try:
        staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{name}-", dir=output_dir))
    except OSError as err:
        raise SvcError(f"cannot write to {output_dir} ({err.strerror}): choose another "
                       "--output-dir") from err
    try:
        project, final_answers = render(template, answers, staging)
        prune(project, template.option_files, selected_groups(final_answers))
        write_answers(project, final_answers, resolved.fingerprint, resolved.origin)
        if request.git:
            try:
                commit_initial(project, f"Create {name} with svc {__version__}\n\n"
                                        "Generated by `svc new`; the answers are in .svc/answers.json.",
                               (__version__, resolved.fingerprint))
            except Exception as err:  # noqa: BLE001 - GitPython raises many types (bad config, ...)
                first = (str(err).strip().splitlines() or [err.__class__.__name__])[0]
                raise SvcError(f"git init/commit failed ({first}): fix your git configuration, "
                               "or pass --no-git") from None
        _refuse_existing(target)  # someone may have created it while we rendered
        os.rename(project, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return request.output_dir / name


def resolve_answers(request: NewRequest, template: Template, ask: Ask) -> dict[str, Answer]:
    """Every answer for the template, checked; asks for the missing ones only when interactive."""
    answers: dict[str, Answer] = {"service_name": request.name}
    answers["owner"] = _owner(request, ask)
    if request.description is not None:
        answers["description"] = check_description(request.description)
    elif request.interactive:
        description = _ask_line("Description", " (one line, Enter for none)", ask).strip()
        if description:
            answers["description"] = check_description(description)
    for key, given in (("runtime", request.runtime), ("architecture", request.architecture),
                       ("ci", request.ci)):
        choices = template.choices(key)
        if given is None and request.interactive:
            given = _ask_choice(choices, ask)
        answers[key] = choices.check(given if given is not None else choices.default)
    answers["workflow"] = request.workflow
    answers.update(check_data(request.data, template.variables))
    answers["svc_requirement"] = _svc_requirement(request)
    return answers


def _svc_requirement(request: NewRequest) -> str:
    """--svc-requirement, else the policy's scaffold.svc-requirement, else this very svc."""
    if request.svc_requirement is not None:
        return check_svc_requirement(request.svc_requirement)
    if request.config is not None:
        from svc_serverless.linter.run import organisation_policy

        configured = organisation_policy(request.config).svc_requirement
        if configured is not None:
            try:
                return check_svc_requirement(configured)
            except SvcError as err:
                raise SvcError(f"{request.config}: scaffold.svc-requirement: {err}") from None
    import svc_serverless  # the running svc's version, read now: `svc update` reads it the same way

    return default_svc_requirement(svc_serverless.__version__)


def _owner(request: NewRequest, ask: Ask) -> str:
    if request.owner is not None:
        return check_owner(request.owner)
    if not request.interactive:
        raise SvcError("an owner is required: pass --owner, e.g. --owner team-billing")
    for _ in range(3):
        value = _ask_line("Owning team", " (e.g. team-billing or group:team-billing)", ask).strip()
        try:
            return check_owner(value)
        except SvcError as err:
            print(f"  {err}")
    raise SvcError("no valid owner given: pass --owner, e.g. --owner team-billing")


def _ask_choice(choices: Choices, ask: Ask) -> str:
    label = _LABELS.get(choices.key, choices.key)
    value = _ask_line(label, f" [{'/'.join(choices.values)}] (Enter for {choices.default})",
                      ask).strip()
    return value or choices.default


def _ask_line(label: str, hint: str, ask: Ask) -> str:
    try:
        return ask(f"{label}{hint}: ")
    except EOFError:
        raise SvcError(f"no answer to {label!r}: pass it as an option (see `svc new --help`)"
                       ) from None


def _checked_output_dir(output_dir: Path) -> Path:
    # Not created on demand: a typo in -o would otherwise silently create a folder chain.
    if not output_dir.exists():
        raise SvcError(f"output folder {output_dir} does not exist: create it or choose "
                       "another --output-dir")
    if not output_dir.is_dir():
        raise SvcError(f"output folder {output_dir} is not a folder: choose another --output-dir")
    return output_dir.resolve()


def _refuse_existing(target: Path) -> None:
    if os.path.lexists(target):
        raise SvcError(f"{target} already exists: choose another name or --output-dir")


def render(template: Template, answers: Mapping[str, Answer],
           output_dir: Path) -> tuple[Path, dict[str, Answer]]:
    """Render the template into output_dir; return the project folder and the final answers.

    cookiecutter's own defaulting renders the derived variables (`__entity_pascal`, ...) and
    the defaults that depend on other answers (`entity_plural`), exactly as the bare
    cookiecutter CLI would, so the template has one source of truth.
    """
    from cookiecutter.generate import generate_files
    from cookiecutter.prompt import prompt_for_config

    context = {key: value for key, value in template.variables.items()}
    context.update(answers)
    rendered = prompt_for_config({"cookiecutter": context}, no_input=True)
    import svc_serverless  # read now: the ref of svc's own GitHub Action the CI pins

    rendered["_svc_version"] = svc_serverless.__version__
    source = _clean_copy(template.root, output_dir / _CLEAN_TEMPLATE)
    project = generate_files(repo_dir=str(source), context={"cookiecutter": rendered},
                             output_dir=str(output_dir), accept_hooks=False)
    shutil.rmtree(source)
    final = {key: rendered[key] for key in template.variables if not key.startswith("_")}
    return Path(project), final


def is_debris(relative: PurePosixPath) -> bool:
    """Whether a path in the template folder is build debris rather than template content."""
    return (any(part in DEBRIS_FOLDERS for part in relative.parts[:-1])
            or any(fnmatch(relative.name, pattern) for pattern in DEBRIS_FILES))


def template_files(root: Path) -> list[PurePosixPath]:
    """The template's own files, relative to `root`, sorted: everything but debris.

    cookiecutter renders a folder as it finds it, so what it must not render is left out of
    the copy it is given (`_clean_copy`), and out of the template's fingerprint.
    """
    found: list[PurePosixPath] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in DEBRIS_FOLDERS]
        base = PurePosixPath(Path(folder).relative_to(root).as_posix())
        found.extend(base / name for name in names if not is_debris(base / name))
    return sorted(found)


def _clean_copy(root: Path, destination: Path) -> Path:
    """The template's own files at `destination`, without debris, for cookiecutter to read.

    Hard links where the file system allows them: copying costs a millisecond a file, a good
    part of `svc new`'s budget, and cookiecutter only reads the template (it writes every
    output file anew). Across file systems, or where links are refused, a copy.
    """
    for relative in template_files(root):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(root / relative, target)
        except OSError:
            shutil.copy2(root / relative, target)
    return destination


def selected_groups(answers: Mapping[str, Answer]) -> set[str]:
    """The option groups of `_svc_files` whose files the answers keep."""
    language = "python" if str(answers["runtime"]).startswith("python") else "node"
    groups = {language, f"ci:{answers['ci']}"}
    if answers["workflow"]:
        groups.add("workflow")
    return groups


def prune(project: Path, option_files: Mapping[str, Iterable[str]], keep: set[str]) -> None:
    """Remove the files of the option groups not in `keep`, then the folders left empty."""
    for group, patterns in option_files.items():
        if group in keep:
            continue
        for pattern in patterns:
            for path in sorted(project.glob(pattern), reverse=True):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
    for folder, _, _ in sorted(os.walk(project), key=lambda entry: len(entry[0]), reverse=True):
        if folder != str(project) and not os.listdir(folder):
            os.rmdir(folder)


def template_fingerprint(root: Path) -> str:
    """sha256 over the template's files (relative path and content, sorted by path)."""
    digest = hashlib.sha256()
    for path in template_files(root):
        relative = path.as_posix()
        content = (root / path).read_bytes()
        # Length-prefixed, so no two different file sets hash the same byte stream.
        digest.update(f"{len(relative)}:{relative}:{len(content)}:".encode())
        digest.update(content)
    return f"sha256:{digest.hexdigest()}"


def write_answers(project: Path, answers: Mapping[str, Answer], fingerprint: str,
                  origin: Origin = BUNDLED_ORIGIN) -> None:
    """Record what `svc update` needs to re-render, and what drift rules compare against."""
    record.write(project, record.Record(__version__, fingerprint, origin, answers))


def commit_initial(project: Path, message: str, template: tuple[str, str] | None = None) -> None:
    """`git init` and one commit of every file the repo's .gitignore keeps, running no hook.

    `template` (svc version, template fingerprint) marks the commit as the first pristine
    render (scaffold/history.py): the base of the first `svc update`.
    """
    import git

    repo = git.Repo.init(project)
    try:
        # Whatever init.defaultBranch says: the generated CI configs build `main`.
        repo.git.symbolic_ref("HEAD", "refs/heads/main")
        repo.index.add(_committed_files(repo))
        repo.index.write()
        if template is not None:
            tree = repo.index.write_tree().hexsha
            message = f"{message}\n\n{trailers(*template, tree)}\n"
        author = _identity(repo)
        # index.commit neither signs nor runs hooks.
        repo.index.commit(message, author=author, committer=author, skip_hooks=True)
    finally:
        repo.close()


def _committed_files(repo: Any) -> list[str]:
    """The files the repo's own .gitignore files do not ignore.

    Without --exclude-standard, ls-files reads neither the user's global excludes file nor
    .git/info/exclude: a user's global ignore list cannot leave a generated file out of the
    first commit, and the generated .gitignore is the only judge.
    """
    listed: str = repo.git.ls_files("--others", "--exclude-per-directory=.gitignore", "-z")
    return sorted(path for path in listed.split("\0") if path)


def _identity(repo: Any) -> Any:
    """The user's git identity, or svc's own on a machine that has none (fresh CI runners)."""
    import git

    reader = repo.config_reader()
    name = os.environ.get("GIT_AUTHOR_NAME") or reader.get_value("user", "name", default="")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or reader.get_value("user", "email", default="")
    if not name or not email:
        name, email = _FALLBACK_IDENTITY
    return git.Actor(str(name), str(email))
