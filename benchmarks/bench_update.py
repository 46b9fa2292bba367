"""Whole-process benchmarks of `svc update` and `svc check` against cruft, in the same run.

    python benchmarks/bench_update.py                  # all workloads
    python benchmarks/bench_update.py one check        # some of them
    python benchmarks/bench_update.py org --repos 200 --cruft /path/to/venv/bin/cruft

Workloads (the template is a copy of svc's bundled one in a local git repo, so both tools
run offline; between "v1" and "v2" the template changes one README line):
  one    `svc update` on one repo made from v1, after v2     vs `cruft update -y`  (budget 2 s)
  check  `svc check` on a current repo                        vs `cruft check`     (budget 0.5 s)
         (and, not budgeted, on a repo that is behind: svc renders to say what changed)
  org    `svc update FOLDER` over N repos (default 200)       vs `cruft update -y` in each
         repo, two at a time on this 2-core machine          (budget 2 minutes)

cruft is not a dependency of svc: install it into a separate venv for this script
(`python -m venv /tmp/bench && /tmp/bench/bin/pip install cruft`) and pass --cruft, or put it
on PATH. Without it, svc's timings are still printed. copier is not compared: it cannot render
a cookiecutter template, and a port of svc's template to copier's format would not be the
same work. This is a script, not a test: the machine is shared and noisy, so each command runs
several times and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT / "svc_serverless" / "scaffold" / "template"
SVC = [sys.executable, "-m", "svc_serverless"]
BUDGETS = {"one": 2.0, "check": 0.5, "org": 120.0}
README = "{{cookiecutter.service_name}}/README.md"


def git(cwd: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def environment(work: Path) -> dict[str, str]:
    """A HOME of the benchmark's own: a git identity, svc's cache, no cookiecutter replay."""
    home = work / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n"
                                     "[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    (home / ".cookiecutterrc").write_text(f"cookiecutters_dir: {home / 'cc'}\n"
                                          f"replay_dir: {home / 'replay'}\n", encoding="utf-8")
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
               GIT_CONFIG_NOSYSTEM="1", PYTHONDONTWRITEBYTECODE="1",
               COOKIECUTTER_CONFIG=str(home / ".cookiecutterrc"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")]))
    return env


def template_repo(work: Path, env: dict[str, str]) -> Path:
    repo = work / "template"
    shutil.copytree(TEMPLATE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "--quiet", env=env)
    git(repo, "add", "--all", env=env)
    git(repo, "commit", "--quiet", "-m", "v1", env=env)
    return repo


def template_v2(repo: Path, env: dict[str, str]) -> None:
    path = repo / README
    path.write_text(path.read_text(encoding="utf-8").replace("## Layout\n", "## Layout (v2)\n", 1),
                    encoding="utf-8")
    git(repo, "commit", "--quiet", "--all", "-m", "v2", env=env)


def run(command: list[str], cwd: Path, env: dict[str, str], ok: Sequence[int] = (0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:  # a timing of a command that did not work is worthless
        raise SystemExit(f"{' '.join(command[:4])} ... exited {proc.returncode} in {cwd}:\n"
                         f"{proc.stdout[-800:]}{proc.stderr[-800:]}")
    return elapsed


def svc_repo(where: Path, name: str, template: Path, env: dict[str, str]) -> Path:
    run([*SVC, "new", name, "--owner", "team-x", "-o", str(where),
         "--template", f"file://{template}"], where, env)
    return where / name


def cruft_repo(cruft: str, where: Path, name: str, template: Path, env: dict[str, str]) -> Path:
    context = json.dumps({"service_name": name, "owner": "team-x"})
    run([cruft, "create", str(template), "--no-input", "--extra-context", context,
         "--output-dir", str(where)], where, env)
    repo = where / name
    git(repo, "init", "--quiet", env=env)
    git(repo, "add", "--all", env=env)
    git(repo, "commit", "--quiet", "-m", "cruft create", env=env)
    return repo


def copies(repo: Path, count: int) -> list[Path]:
    out = []
    for number in range(count):
        target = repo.parent / f"{repo.name}-copy-{number}"
        shutil.copytree(repo, target, symlinks=True)
        out.append(target)
    return out


def median_of(times: Sequence[float]) -> float:
    return statistics.median(times)


def report(label: str, svc: float, other: float | None, other_label: str, budget: float) -> bool:
    line = f"{label:<40} svc {svc:7.3f} s"
    if other is not None:
        line += f"   {other_label} {other:7.3f} s   ratio svc/{other_label} {svc / other:5.2f}"
    verdict = "within" if svc <= budget else "OVER"
    print(f"{line}   budget {budget:g} s: {verdict}")
    return svc <= budget


def bench_one(work: Path, env: dict[str, str], cruft: str | None, runs: int) -> bool:
    template = template_repo(work, env)
    (work / "svc").mkdir()
    svc_copies = copies(svc_repo(work / "svc", "billing", template, env), runs)
    cruft_copies: list[Path] = []
    if cruft:
        (work / "cruft").mkdir()
        cruft_copies = copies(cruft_repo(cruft, work / "cruft", "billing", template, env), runs)
    template_v2(template, env)
    svc_times = [run([*SVC, "update"], repo, env) for repo in svc_copies]
    for repo in svc_copies:
        if "## Layout (v2)" not in (repo / "README.md").read_text(encoding="utf-8"):
            raise SystemExit(f"svc update did not update {repo}")
    cruft_times = [run([cruft, "update", "-y"], repo, env) for repo in cruft_copies] if cruft else []
    return report(f"update, one repo ({runs} runs, median)", median_of(svc_times),
                  median_of(cruft_times) if cruft_times else None, "cruft", BUDGETS["one"])


def bench_check(work: Path, env: dict[str, str], cruft: str | None, runs: int) -> bool:
    template = template_repo(work, env)
    (work / "svc").mkdir()
    current = svc_repo(work / "svc", "billing", template, env)
    behind = svc_repo(work / "svc", "orders", template, env)
    cruft_current = None
    if cruft:
        (work / "cruft").mkdir()
        cruft_current = cruft_repo(cruft, work / "cruft", "billing", template, env)
    svc_times = [run([*SVC, "check"], current, env) for _ in range(runs)]
    cruft_times = [run([cruft, "check"], cruft_current, env) for _ in range(runs)] \
        if cruft and cruft_current else []
    within = report(f"check, current repo ({runs} runs, median)", median_of(svc_times),
                    median_of(cruft_times) if cruft_times else None, "cruft", BUDGETS["check"])
    template_v2(template, env)
    run([*SVC, "update", "--dry-run"], behind, env)  # fetches v2 into svc's template cache
    behind_times = [run([*SVC, "check"], behind, env, ok=(1,)) for _ in range(runs)]
    print(f"{'check, behind repo (renders; no budget)':<40} svc {median_of(behind_times):7.3f} s")
    return within


def _make_svc_repos(folder: Path, template: Path, count: int, env: dict[str, str]) -> None:
    """Generate `count` repos into folder/a and folder/b, one process each sharing one opened
    template (setup, not timed)."""
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from svc_serverless.scaffold import create, templates\n"
        "folder, url, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])\n"
        "with templates.opened(templates.parse_source(url, folder), None, fetch=True) as t:\n"
        "    for n in range(count):\n"
        "        create._new_service(create.NewRequest(name=f'service-{n:05d}', owner='team-x',"
        " output_dir=folder), t, input)\n"
    )
    half = count // 2
    with ThreadPoolExecutor(max_workers=2) as pool:  # two processes: two cores
        jobs = [pool.submit(run, [sys.executable, "-c", code, str(folder / part), f"file://{template}",
                                  str(number)], folder, env)
                for part, number in (("a", half), ("b", count - half))]
        for job in jobs:
            job.result()


def bench_org(work: Path, env: dict[str, str], cruft: str | None, count: int) -> bool:
    template = template_repo(work, env)
    org = work / "org"
    org.mkdir()
    (org / "a").mkdir()
    (org / "b").mkdir()
    print(f"(setup: generating {count} repos with svc new ...)", flush=True)
    _make_svc_repos(org, template, count, env)
    cruft_repos: list[Path] = []
    if cruft:
        (work / "cruft").mkdir()
        # cruft create costs as much as an update: one repo, copied (the update work is the same).
        cruft_repos = copies(cruft_repo(cruft, work / "cruft", "billing", template, env), count)
    template_v2(template, env)
    svc_time = run([*SVC, "update", str(org / "a"), str(org / "b"), "--format", "json"], org, env)
    updated = sum(1 for part in ("a", "b") for repo in (org / part).iterdir()
                  if "## Layout (v2)" in (repo / "README.md").read_text(encoding="utf-8"))
    if updated != count:
        raise SystemExit(f"svc update updated {updated} of {count} repos")
    cruft_time = None
    if cruft:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda repo: run([cruft, "update", "-y"], repo, env), cruft_repos))
        cruft_time = time.perf_counter() - started
    return report(f"update, {updated} repos in folders", svc_time, cruft_time,
                  "cruft x2", BUDGETS["org"])


WORKLOADS: dict[str, Callable[[Path, dict[str, str], str | None, argparse.Namespace], bool]] = {
    "one": lambda work, env, cruft, args: bench_one(work, env, cruft, args.runs),
    "check": lambda work, env, cruft, args: bench_check(work, env, cruft, args.runs),
    "org": lambda work, env, cruft, args: bench_org(work, env, cruft, args.repos),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    # No `choices`: argparse checks an empty list against them and refuses it.
    parser.add_argument("workloads", nargs="*", help=f"any of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    parser.add_argument("--repos", type=int, default=200, help="repos for `org` (default 200)")
    parser.add_argument("--cruft", default=shutil.which("cruft"),
                        help="the cruft command (default: cruft on PATH)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.workloads) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}: choose from {', '.join(WORKLOADS)}")
    print(f"cruft: {args.cruft or 'not found: svc only'}\n")
    within = True
    for name in args.workloads or list(WORKLOADS):
        with tempfile.TemporaryDirectory(prefix=f"bench-update-{name}-") as tmp:
            work = Path(tmp)
            within = WORKLOADS[name](work, environment(work), args.cruft, args) and within
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
