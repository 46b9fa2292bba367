"""Whole-process benchmarks of `svc lint` against cfn-lint, in the same run (DESIGN.md §7).

    python benchmarks/bench_lint.py                 # all workloads
    python benchmarks/bench_lint.py one corpus      # some of them
    python benchmarks/bench_lint.py org --repos 2000

Workloads:
  one     `svc lint` on one svc-generated repo   vs `cfn-lint` on its template      (budget 0.3 s)
  corpus  `svc lint` over the shared corpus
          vs `cfn-lint` on the same templates split over 2 processes              (budget 2 s)
  org     `svc lint` over N generated repos (default 10,000)                      (budget 60 s)

svc keeps no result cache (svc_serverless/linter/cache.py says why), so every run is a cold one.

The machine is shared and noisy: each command runs several times and the median is reported,
with the ratio to the alternative measured in the same run. This is a script, not a test.
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
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "corpus" / "serverless-patterns"
SVC = [sys.executable, "-m", "svc_serverless"]
# cfn-lint has no `python -m` entry point: use its console script next to this interpreter.
CFN_LINT = [str(Path(sys.executable).with_name("cfn-lint"))]
# Exit codes that mean "ran and reported": svc 0/1; cfn-lint ORs 2/4/8 for error/warning/info.
OK_CODES = {"svc": {0, 1}, "cfn-lint": {0, 2, 4, 6, 8, 10, 12, 14}}


def check_runs(command: list[str], tool: str) -> None:
    """Refuse to time a command that fails to run at all (a timing of an error is worthless)."""
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode not in OK_CODES[tool]:
        raise SystemExit(f"{tool} did not run (exit {proc.returncode}): {' '.join(command[:4])} ...\n"
                         f"{proc.stderr[-500:]}")


def timed(command: list[str], runs: int, cwd: Path | None = None) -> float:
    """Median wall time of `runs` executions; the exit code is not judged (findings are expected)."""
    check_runs(command, "cfn-lint" if command[0] == CFN_LINT[0] else "svc")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed_parallel(commands: list[list[str]], runs: int) -> float:
    for command in commands:
        check_runs(command, "cfn-lint")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
        for proc in procs:
            proc.wait()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def new_repo(folder: Path, name: str) -> Path:
    subprocess.run([*SVC, "new", name, "--owner", "team-bench", "--no-git", "-o", str(folder)],
                   check=True, stdout=subprocess.DEVNULL)
    return folder / name


def row(label: str, svc: float, other: float | None, budget: float, other_name: str = "") -> dict[str, object]:
    ratio = f"{other / svc:.1f}x faster" if other else "-"
    print(f"{label:<34} svc {svc:7.2f} s   {other_name:<18} {other if other else float('nan'):7.2f} s   "
          f"{ratio:<14} budget {budget:5.1f} s  {'OK' if svc <= budget else 'OVER'}")
    return {"workload": label, "svc_s": round(svc, 3), "alternative": other_name,
            "alternative_s": round(other, 3) if other else None, "budget_s": budget}


def bench_one(work: Path, runs: int) -> list[dict[str, object]]:
    repo = new_repo(work, "bench-one")
    svc = timed([*SVC, "lint", str(repo)], runs)
    cfn = timed([*CFN_LINT, str(repo / "template.yaml")], runs)
    return [row("one generated repo", svc, cfn, 0.3, "cfn-lint")]


def corpus_templates() -> list[str]:
    found = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for name in ("template.yaml", "template.yml", "template.json"):
            if (folder / name).is_file():
                found.append(str(folder / name))
                break
    return found


CRASH_PROBE = """
import sys
from cfnlint.api import lint_file, ManualArgs
from pathlib import Path
for name in sys.argv[1:]:
    try:
        lint_file(Path(name), config=ManualArgs(regions=["us-east-1"]))
    except Exception:
        print(name)
"""


def cfn_lint_crashes(templates: list[str]) -> set[str]:
    """Templates on which cfn-lint itself raises: they abort its whole multi-file run."""
    proc = subprocess.run([sys.executable, "-c", CRASH_PROBE, *templates],
                          capture_output=True, text=True, check=False)
    return set(proc.stdout.split())


def bench_corpus(work: Path, runs: int) -> list[dict[str, object]]:
    templates = corpus_templates()
    crashing = cfn_lint_crashes(templates)
    print(f"(cfn-lint raises on {len(crashing)} corpus templates; they are left out of its timing, "
          "svc lints all of them)")
    usable = [t for t in templates if t not in crashing]
    halves = [usable[0::2], usable[1::2]]
    cfn = timed_parallel([[*CFN_LINT, *half] for half in halves], max(1, runs // 3))
    svc = timed([*SVC, "lint", str(CORPUS), "-f", "json"], runs)
    return [row(f"corpus ({len(templates)} repos)", svc, cfn, 2.0, "cfn-lint x2 procs")]


def make_org(work: Path, count: int) -> Path:
    """`count` repos: copies of one generated repo, each renamed so names and events differ."""
    seed = new_repo(work, "seed-service")
    org = work / "org"
    org.mkdir()
    files = {rel.relative_to(seed).as_posix(): rel.read_bytes()
             for rel in seed.rglob("*") if rel.is_file()}
    for index in range(count):
        name = f"svc-{index:05d}"
        target = org / name
        for rel, data in files.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if rel in ("catalog-info.yaml", "template.yaml", ".svc/answers.json"):
                data = data.replace(b"seed-service", name.encode())
            path.write_bytes(data)
    shutil.rmtree(seed)
    return org


def bench_org(work: Path, count: int) -> list[dict[str, object]]:
    started = time.perf_counter()
    org = make_org(work, count)
    print(f"(made {count} repos in {time.perf_counter() - started:.1f} s)")
    svc = timed([*SVC, "lint", str(org), "-f", "json"], 1)
    return [row(f"{count} repos", svc, None, 60.0)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=["one", "corpus", "org"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repos", type=int, default=10_000, help="repos in the org workload")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; median of {args.runs} runs")
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "one" in args.workloads:
            results += bench_one(work, args.runs)
        if "corpus" in args.workloads:
            results += bench_corpus(work, args.runs)
        if "org" in args.workloads:
            results += bench_org(work, args.repos)
    out = PROJECT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_lint.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
