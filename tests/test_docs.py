"""The generated rule documentation is current: docs/rules.md and the README's rules table."""

from __future__ import annotations

from pathlib import Path

from svc_serverless.linter.ruledocs import readme_with_table, rules_markdown

PROJECT = Path(__file__).resolve().parents[1]
FIX = "run `python -m svc_serverless.linter.ruledocs --write` and commit the result"


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    assert (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), FIX


def test_readme_rules_table_is_current() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_table(readme), FIX


def test_readme_starts_with_the_two_commands() -> None:
    lines = (PROJECT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[2:6] == [
        "```sh",
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && svc lint examples/org",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest",
        "```",
    ]
