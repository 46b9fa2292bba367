"""What 50 custom rules cost: `svc lint` over the corpus with and without them, in the same run,
and checkov running the same 50 policies as YAML custom checks (when it is installed).

    python benchmarks/bench_custom.py [--runs 3] [--checkov PATH] [--cfn-guard PATH]

The 50 rules are resource rules both tools can express: "resources of type T set property P"
(point-in-time recovery, log retention, encryption keys, ...), ten kinds in five copies each
with their own codes. Budget: the custom rules add at most 50% to svc's corpus time. checkov is
not a dependency of svc: install it into a separate environment (`python -m venv /tmp/ckv &&
/tmp/ckv/bin/pip install checkov`) and pass its script with --checkov. cfn-guard is a Rust
binary: it installs from crates.io, and the npm package @cdklabs/cdk-validator-cfnguard ships
it prebuilt (`npm pack @cdklabs/cdk-validator-cfnguard`, then package/bin/ubuntu/x86_64/
cfn-guard); pass it with --cfn-guard to run the same 50 rules in Guard's DSL over the corpus
templates. Neither merges SAM Globals, which svc does. This is a script, not a test.
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


def guard_rules(folder: Path) -> Path:
    rules = []
    for copy in range(COPIES):
        for index, (rtype, prop) in enumerate(KINDS):
            n = copy * len(KINDS) + index + 1
            rules.append(f'let r{n} = Resources.*[ Type == "{rtype}" ]\n'
                         f"rule bench{n} when %r{n} !empty {{\n"
                         f"    %r{n}.Properties.{prop} exists\n}}\n")
    path = folder / "bench.guard"
    path.write_text("\n".join(rules), encoding="utf-8")
    return path


def corpus_templates() -> list[str]:
    names = ("template.yaml", "template.yml", "template.json")
    found = []
    for repo in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        template = next((repo / n for n in names if (repo / n).is_file()), None)
        if template is not None:
            found.append(str(template))
    return found


def timed(command: list[str], runs: int, ok: tuple[int, ...] = (0, 1)) -> float:
    probe = subprocess.run(command, capture_output=True, text=True, check=False)
    if probe.returncode not in ok:
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
    parser.add_argument("--cfn-guard", type=Path, help="a cfn-guard binary")
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
        if args.cfn_guard is not None:
            data = [arg for t in corpus_templates() for arg in ("-d", t)]
            command = [str(args.cfn_guard), "validate", "-r", str(guard_rules(work)), *data,
                       "-S", "none"]
            # 19: non-compliant resources; 5: a template it could not parse (it goes on)
            other = timed(command, args.runs, ok=(0, 5, 19))
            print(f"cfn-guard, the same 50 rules      {other:7.2f} s   ({other / custom:.1f}x svc's time)")
        else:
            print("cfn-guard: not run (give --cfn-guard PATH)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
