"""What 50 custom rules cost: `svc lint` over the corpus with and without them, in the same run,
and checkov running the same 50 policies as YAML custom checks (when it is installed).

    python benchmarks/bench_custom.py [--runs 3] [--checkov PATH]

The 50 rules are resource rules both tools can express: "resources of type T set property P"
(point-in-time recovery, log retention, encryption keys, ...), ten kinds in five copies each
with their own codes. Budget: the custom rules add at most 50% to svc's corpus time. checkov is
not a dependency of svc: install it into a separate environment (`python -m venv /tmp/ckv &&
/tmp/ckv/bin/pip install checkov`) and pass its script with --checkov. cfn-guard is a Rust
binary that installs from crates.io only; where no crates.io is reachable it is skipped.
This is a script, not a test.
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
SVC = [sys.executable, "-m", "svc_serverless"]
BUDGET = 1.5  # with the custom rules / without

# (resource type, property path that must be set)
KINDS = [
    ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"),
    ("AWS::DynamoDB::Table", "SSESpecification.KMSMasterKeyId"),
    ("AWS::Logs::LogGroup", "RetentionInDays"),
    ("AWS::Logs::LogGroup", "KmsKeyId"),
    ("AWS::SQS::Queue", "KmsMasterKeyId"),
    ("AWS::SNS::Topic", "KmsMasterKeyId"),
    ("AWS::S3::Bucket", "BucketEncryption"),
    ("AWS::Serverless::Function", "Timeout"),
    ("AWS::Serverless::Function", "Tracing"),
    ("AWS::Lambda::Function", "TracingConfig.Mode"),
]
COPIES = 5
DOC = "Benchmark rule.\n\n## What it does\nx\n\n## Why is this bad?\ny\n"


def svc_rules(folder: Path) -> Path:
    import json

    rules = []
    for copy in range(COPIES):
        for index, (rtype, prop) in enumerate(KINDS):
            schema: dict[str, object] = {}
            for name in reversed(prop.split(".")):
                schema = {"required": [name], "properties": {name: schema}}
            rules.append({
                "code": f"BENCH{copy * len(KINDS) + index + 1:03d}",
                "name": f"bench-{copy}-{index}",
                "applies-to": {"resource-types": [rtype]},
                "require": {"required": ["Properties"], "properties": {"Properties": schema}},
                "message": "{resource} misses {path}",
                "doc": DOC,
            })
    (folder / "rules").mkdir()
    (folder / "rules" / "bench.yaml").write_text(json.dumps(rules), encoding="utf-8")
    policy = folder / "policy.yaml"
    policy.write_text("version: 1\nrules: [rules/]\n", encoding="utf-8")
    return policy


def checkov_rules(folder: Path) -> list[str]:
    (folder / "checkov").mkdir()
    ids = []
    for copy in range(COPIES):
        for index, (rtype, prop) in enumerate(KINDS):
            check_id = f"CKV2_BENCH_{copy * len(KINDS) + index + 1}"
            ids.append(check_id)
            (folder / "checkov" / f"{check_id}.yaml").write_text(
                f"metadata:\n  id: {check_id}\n  name: bench {copy} {index}\n"
                "  category: GENERAL_SECURITY\n"
                f"definition:\n  cond_type: attribute\n  resource_types: [\"{rtype}\"]\n"
                f"  attribute: \"{prop}\"\n  operator: exists\n",
                encoding="utf-8",
            )
    return ids


def timed(command: list[str], runs: int) -> float:
    probe = subprocess.run(command, capture_output=True, text=True, check=False)
    if probe.returncode not in (0, 1):
        raise SystemExit(f"did not run (exit {probe.returncode}): {' '.join(command[:6])} ...\n"
                         f"{probe.stderr[-800:]}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--checkov", type=Path, help="a checkov script (in its own venv)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="svc-bench-custom-"))
    try:
        policy = svc_rules(work)
        base = [*SVC, "lint", str(CORPUS), "--no-cache", "-f", "json"]
        alone = timed(base, args.runs)
        custom = timed([*base, "--config", str(policy)], args.runs)
        ratio = custom / alone
        print(f"svc built-in rules alone          {alone:7.2f} s")
        print(f"svc + 50 custom rules             {custom:7.2f} s   x{ratio:.2f} "
              f"(budget x{BUDGET}: {'OK' if ratio <= BUDGET else 'OVER'})")
        if args.checkov is not None:
            ids = checkov_rules(work)
            command = [str(args.checkov), "-d", str(CORPUS), "--framework", "cloudformation",
                       "--external-checks-dir", str(work / "checkov"), "--check", ",".join(ids),
                       "--skip-download", "--quiet", "--compact"]
            other = timed(command, 1)
            print(f"checkov, the same 50 policies     {other:7.2f} s   ({other / custom:.1f}x svc's time)")
        else:
            print("checkov: not run (give --checkov PATH to a checkov installed in its own venv)")
        print("cfn-guard: not run (a Rust binary from crates.io, not reachable from this machine)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
