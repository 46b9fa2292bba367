"""The files that let svc run as a gate elsewhere: a pre-commit hook and a GitHub action."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]


def test_action_validates_against_the_github_actions_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
         str(PROJECT / "action.yml")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_hook_runs_svc_lint_on_the_whole_repo() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks == [{
        "id": "svc-lint",
        "name": "svc lint",
        "description": "Check the service repo against svc's share-nothing, KMS and layout rules.",
        "entry": "svc lint",
        "language": "python",
        "pass_filenames": False,
        "always_run": True,
        "require_serial": True,
    }]
