"""Whole-process timing of `svc lint --fix` over a fresh copy of the real-world corpus.

    python benchmarks/bench_fix.py [--corpus DIR] [--runs 3] [--unsafe]

Each run copies the corpus (not timed) and runs `svc lint --fix` (or `--fix --unsafe-fixes`)
over the copy: the fixing rounds, the writes and the final report. Budget: 5 s. The median is
reported, since the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "corpus" / "serverless-patterns"
BUDGET = 5.0


def run_once(corpus: Path, unsafe: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(corpus, copy, symlinks=True)
        command = [sys.executable, "-m", "svc_serverless", "lint", str(copy), "--fix", "--no-cache",
                   "-o", str(Path(tmp) / "report.txt")]
        if unsafe:
            command.append("--unsafe-fixes")
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"svc lint --fix failed ({done.returncode}): {done.stderr[-500:]}")
        print(done.stderr.strip().splitlines()[-1])
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--unsafe", action="store_true", help="also apply the unsafe fixes")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    times = [run_once(args.corpus, args.unsafe) for _ in range(args.runs)]
    median = statistics.median(times)
    print(f"svc lint --fix{' --unsafe-fixes' if args.unsafe else ''} over {args.corpus.name}: "
          f"median {median:.2f} s of {args.runs} (budget {BUDGET:.0f} s)")
    return 0 if median <= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
