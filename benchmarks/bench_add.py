"""Whole-process timing of `svc add function` in a repo made by `svc new`.

    python benchmarks/bench_add.py [--runs 5]

Each run adds a function with a queue (the trigger that writes the most: function, queue,
dead-letter queue, alarms, log group) to a fresh copy of one generated repo. Budget: 0.5 s.
The median is reported, since the machine is shared and noisy.
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

BUDGET = 0.5
SVC = [sys.executable, "-m", "svc_serverless"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        subprocess.run([*SVC, "new", "billing", "--owner", "team-billing", "--no-git", "-o",
                        str(base)], check=True, capture_output=True)
        times = []
        for run in range(args.runs):
            repo = Path(tmp) / f"run{run}"
            shutil.copytree(base / "billing", repo)
            start = time.perf_counter()
            subprocess.run([*SVC, "add", "function", "send-invoice", "--trigger", "queue",
                            "--repo", str(repo)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"svc add function --trigger queue: median {median:.3f} s of {args.runs} "
          f"(budget {BUDGET} s)")
    return 0 if median <= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
