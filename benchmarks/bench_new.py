"""Benchmark `svc new` as a whole process against what a platform team would run instead.

    python benchmarks/bench_new.py [--runs N]

Times N runs (default 10) of `python -m linter new bench-svc --owner team-x --no-git -o <tmp>`
and, in the same run, of the alternative on the same template: `sam init --no-input
--location scaffold/template` when `sam` is on PATH, else the bare cookiecutter CLI
(`cookiecutter --no-input scaffold/template`). Prints median and min of each, the ratio, and
the budget from DESIGN.md §7 (svc new <= 1 s). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "svc_serverless" / "scaffold" / "template"
NAME = "bench-svc"
BUDGET_SECONDS = 1.0


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)


def svc_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "svc_serverless", "new", NAME, "--owner", "team-x", "--no-git",
            "-o", str(out)]


def alternative() -> tuple[str, Callable[[Path], list[str]]]:
    """`sam init` if installed, else the cookiecutter CLI: the same template either way."""
    sam = shutil.which("sam")
    if sam:
        return "sam init --no-input", lambda out: [
            sam, "init", "--no-input", "--location", str(TEMPLATE), "--output-dir", str(out),
            "--extra-context", f'{{"service_name": "{NAME}", "owner": "team-x"}}']
    cookiecutter = shutil.which("cookiecutter")
    if cookiecutter:
        return "cookiecutter --no-input (CLI)", lambda out: [
            cookiecutter, "--no-input", str(TEMPLATE), "-o", str(out),
            f"service_name={NAME}", "owner=team-x"]
    return "python -m cookiecutter --no-input", lambda out: [
        sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(out),
        f"service_name={NAME}", "owner=team-x"]


def time_runs(label: str, command: Callable[[Path], list[str]], runs: int, work: Path,
              env: dict[str, str]) -> Timing:
    seconds = []
    for run in range(runs):
        out = work / f"{label.split()[0]}-{run}"
        out.mkdir()
        start = time.perf_counter()
        subprocess.run(command(out), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
        if not (out / NAME / "template.yaml").is_file():
            raise SystemExit(f"{label} did not create {out / NAME / 'template.yaml'}")
    return Timing(label, tuple(seconds))


def isolated_env(work: Path) -> dict[str, str]:
    """Keep the alternatives' state (cookiecutter replay, SAM telemetry) out of HOME."""
    config = work / "cookiecutter.yaml"
    config.write_text(f"cookiecutters_dir: {work / 'cc'}\nreplay_dir: {work / 'replay'}\n",
                      encoding="utf-8")
    env = dict(os.environ, COOKIECUTTER_CONFIG=str(config), SAM_CLI_TELEMETRY="0",
               PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    args = parser.parse_args(argv)

    label, command = alternative()
    with tempfile.TemporaryDirectory(prefix="bench-new-") as tmp:
        work = Path(tmp)
        env = isolated_env(work)
        # One untimed run each, so both start with warm file-system and bytecode caches.
        for warm_label, warm in (("warm-svc", svc_command), ("warm-alt", command)):
            time_runs(warm_label, warm, 1, work, env)
        svc = time_runs("svc new", svc_command, args.runs, work, env)
        other = time_runs(label, command, args.runs, work, env)

    print(f"svc new vs {label}: {args.runs} runs each, whole process, same template\n")
    print(f"{'command':<34} {'median':>9} {'min':>9}")
    for timing in (svc, other):
        print(f"{timing.label:<34} {timing.median:>8.3f}s {timing.best:>8.3f}s")
    print(f"\nratio svc/alternative (median): {svc.median / other.median:.2f}")
    verdict = "within" if svc.median <= BUDGET_SECONDS else "OVER"
    print(f"budget: svc new <= {BUDGET_SECONDS:.1f} s -> median {svc.median:.3f} s, {verdict} budget")
    return 0 if svc.median <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
