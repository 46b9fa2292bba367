"""Build the run a hostile case needs, run `svc lint` on it and say what came out.

Every repo case lints an organisation folder of two repos, `good` (tests/hostile/base, clean)
and `hostile` (the same repo with one hostile file or one file-system oddity), so each case
also shows that one bad repo does not stop the report on the other. Where a corpus file goes
follows from its folder:

    templates/NAME           hostile/template.yaml (template.json-*.json: hostile/template.json)
    manifests/NAME           hostile/catalog-info.yaml
    policies/NAME            hostile/.svc/policy.yaml
    answers/NAME             hostile/.svc/answers.json
    asl/NAME                 hostile/workflows/flow/flow.asl.json, or .asl.yaml (template follows)
    deps/FILE-*.ext          hostile/functions/api/FILE (a dependency manifest)
    sources/FILE-*.ext       hostile/functions/api/FILE (function code)
    configs/NAME             the organisation policy: --config NAME
    facts/NAME               --facts DIR, DIR holding the good repo's facts and NAME
    repos/NAME               --repos NAME
    baselines/NAME           --baseline NAME
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
BASE = HERE / "base"
FOLDERS = ("templates", "manifests", "policies", "answers", "asl", "deps", "sources", "configs",
           "facts", "repos", "baselines")


@dataclass
class Outcome:
    """What one run of `svc lint` produced."""

    code: int
    seconds: float
    stdout: str
    stderr: str
    report: dict[str, Any] = field(default_factory=dict)

    def findings(self, repo: str) -> set[tuple[str, str]]:
        return {(f["rule"], f["file"]) for f in self.report.get("findings", ()) if f["repo"] == repo}

    def repo(self, name: str) -> dict[str, Any] | None:
        return next((r for r in self.report.get("repos", ()) if r["name"] == name), None)


def make_org(tmp: Path, hostile: str | bytes = "hostile") -> tuple[Path, Path]:
    """tmp/org with a clean `good` repo and a copy named `hostile` (name may be bytes)."""
    org = tmp / "org"
    good = org / "good"
    shutil.copytree(BASE, good)
    manifest = good / "catalog-info.yaml"
    manifest.write_text(manifest.read_text().replace("name: base", "name: good")
                        .replace("team-base", "team-good").replace("/base/", "/good/")
                        .replace("domain: base", "domain: good"), encoding="utf-8")
    target = Path(os.fsdecode(os.path.join(os.fsencode(org), os.fsencode(hostile))))
    shutil.copytree(BASE, target)
    return org, target


def place(corpus_file: str, hostile: Path, data: bytes) -> None:
    """Put a repo-kind corpus file where its folder says it goes."""
    folder, name = corpus_file.split("/", 1)
    if folder == "templates":
        if name.startswith("template.json-"):
            (hostile / "template.yaml").unlink()
            (hostile / "template.json").write_bytes(data)
        else:
            (hostile / "template.yaml").write_bytes(data)
    elif folder == "manifests":
        (hostile / "catalog-info.yaml").write_bytes(data)
    elif folder == "policies":
        (hostile / ".svc/policy.yaml").write_bytes(data)
    elif folder == "answers":
        (hostile / ".svc/answers.json").write_bytes(data)
    elif folder == "asl":
        definition = hostile / "workflows/flow/flow.asl.json"
        if name.endswith((".yaml", ".yml")):
            definition.unlink()
            template = hostile / "template.yaml"
            template.write_text(template.read_text().replace("flow.asl.json", "flow.asl.yaml"))
            definition = definition.with_name("flow.asl.yaml")
        definition.write_bytes(data)
    elif folder in ("deps", "sources"):
        (hostile / "functions/api" / name.split("-", 1)[0]).write_bytes(data)
    else:
        raise ValueError(f"{corpus_file}: not a repo-kind corpus file")


def case_bytes(case: dict[str, Any]) -> bytes:
    """A case's content: its corpus file, or generated from `generate:` (too large for git):

        head_file: base/template.yaml   # optional, first
        head: "..."                     # optional, then
        repeat: "..."                   # `times` times; with `numbered: true` {i} is 0, 1, ...
        times: 60000
        tail: "..."                     # optional, last
    """
    spec = case.get("generate")
    if spec is None:
        return (HERE / case["file"]).read_bytes()
    head = (HERE / spec["head_file"]).read_text() if "head_file" in spec else ""
    repeat, times = spec["repeat"], spec["times"]
    body = ("".join(repeat.replace("{i}", str(i)) for i in range(times))
            if spec.get("numbered") else repeat * times)
    return (head + spec.get("head", "") + body + spec.get("tail", "")).encode()


def arguments(case: dict[str, Any], tmp: Path) -> list[str]:
    """Lay out the run for a corpus case; the `svc lint` arguments (after `lint`)."""
    folder = case["file"].split("/", 1)[0]
    data = case_bytes(case)
    common = ["--format", "json", "--cache-dir", str(tmp / "cache")]
    if folder in ("configs", "baselines"):
        org, _ = make_org(tmp)
        argument = tmp / "argument"
        argument.write_bytes(data)
        return [*common, "--config" if folder == "configs" else "--baseline", str(argument),
                str(org)]
    if folder == "facts":
        from svc_serverless.linter.facts import facts_json_for_path

        org, _ = make_org(tmp)
        facts = tmp / "facts"
        facts.mkdir()
        (facts / "good.json").write_text(facts_json_for_path(org / "good"), encoding="utf-8")
        (facts / "hostile.json").write_bytes(data)
        return [*common, "--facts", str(facts)]
    if folder == "repos":
        listing = tmp / "repos.txt"
        listing.write_bytes(data)
        return [*common, "--repos", str(listing)]
    org, hostile = make_org(tmp)
    place(case["file"], hostile, data)
    return [*common, str(org)]


def run_lint(argv: list[str]) -> Outcome:
    """`svc lint ARGV` in this process, timed; stdout parsed as the JSON report when it is one."""
    from svc_serverless.cli import main

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["lint", *argv])
    seconds = time.perf_counter() - started
    text = out.getvalue()
    text.encode("utf-8")  # what a terminal or CI log would need: no lone surrogates
    report = json.loads(text) if text.startswith("{") else {}
    return Outcome(code, seconds, text, err.getvalue(), report)


# ------------------------------------------------------------------------------------------
# Unreadable files and folders, also when the tests run as root (CI does): root reads
# everything, so where a mode denies reading, these stand-ins for os.scandir and os.open deny
# it as the kernel would for any other user.


def _denied(mode: int, bits: int) -> bool:
    return not mode & bits


@contextmanager
def permissions_as_non_root() -> Iterator[None]:
    if os.geteuid() != 0:
        yield
        return
    real_scandir, real_open = os.scandir, os.open
    path_flag = getattr(os, "O_PATH", 0)

    def refuse(path: object) -> PermissionError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    def scandir(path: Any = ".") -> Any:
        if not isinstance(path, int) and _denied(os.stat(path).st_mode, 0o444):
            raise refuse(path)
        return real_scandir(path)

    def open_(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if dir_fd is not None and _denied(os.fstat(dir_fd).st_mode, 0o111):
            raise refuse(path)
        try:
            info = os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            info = None
        if info is not None and not flags & path_flag and not stat.S_ISLNK(info.st_mode) \
                and _denied(info.st_mode, 0o444):
            raise refuse(path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    os.scandir, os.open = scandir, open_  # type: ignore[assignment]
    try:
        yield
    finally:
        os.scandir, os.open = real_scandir, real_open  # type: ignore[assignment]


def restore_modes(root: Path) -> None:
    """Make everything under root removable again."""
    for folder, dirs, _ in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
    if root.exists():
        os.chmod(root, 0o755)


Builder = Callable[[Path], list[str]]
