"""The reporter registry: every CLI format is registered, and render imports only its reporter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from svc_serverless.errors import SvcError
from svc_serverless.linter.cli import FORMATS
from svc_serverless.linter.report import REPORTERS, render
from tests.report import samples

PROJECT = Path(__file__).resolve().parents[2]


def test_every_cli_format_has_a_reporter() -> None:
    assert sorted(REPORTERS) == sorted(FORMATS)


def test_an_unknown_format_is_a_user_error() -> None:
    with pytest.raises(SvcError) as err:
        render("yaml", samples.empty())
    assert str(err.value) == (
        "unknown report format 'yaml': "
        "choose one of text, concise, json, sarif, junit, github, markdown, html"
    )


def _imported_after_render(fmt: str) -> list[str]:
    """Which heavy modules a fresh interpreter has loaded after rendering `fmt`."""
    script = (
        "import sys\n"
        "from svc_serverless.linter.report import render\n"
        "from tests.report import samples\n"
        f"render({fmt!r}, samples.mixed())\n"
        "heavy = ('rich', 'xml.etree.ElementTree', 'svc_serverless.rules', 'jsonschema', 'yaml')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("json", []),
        ("sarif", []),  # the run's rules cover every finding: the registry is not needed
         ("github", []),
        ("markdown", []),
        ("junit", ["xml.etree.ElementTree"]),
        ("text", ["rich"]),
        ("concise", []),
    ],
)
def test_render_imports_only_the_chosen_reporter(fmt: str, expected: list[str]) -> None:
    assert _imported_after_render(fmt) == expected
