"""The wheel carries the whole template, dotfiles included (DESIGN.md §2: `**/*` alone drops
`.github/` and `.gitignore`, and only an installed wheel would notice)."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from svc_serverless.scaffold.create import template_files

ROOT = Path(__file__).resolve().parents[2]
SCAFFOLD = ROOT / "svc_serverless" / "scaffold"


def test_package_data_globs_cover_every_template_file() -> None:
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads TOML")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["svc_serverless.scaffold"]
    # setuptools expands package-data exactly like this: glob(recursive=True) in the package.
    packaged = {os.path.relpath(path, SCAFFOLD)
                for pattern in patterns
                for path in glob.glob(os.path.join(SCAFFOLD, pattern), recursive=True)
                if os.path.isfile(path)}
    template = {f"template/{path}" for path in template_files(SCAFFOLD / "template")}
    assert template - packaged == set()
    assert {"template/{{cookiecutter.service_name}}/.github/workflows/ci.yml",
            "template/{{cookiecutter.service_name}}/.gitignore",
            "template/{{cookiecutter.service_name}}/.svc/policy.yaml"} <= packaged
