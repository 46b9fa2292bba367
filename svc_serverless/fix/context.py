"""What a rule's fix works with: the loaded repo, and a place to put its changes.

A fix never writes. It edits the template through one `YamlEditor`, adds new files, or asks for
folder renames; `apply.py` checks the whole change and writes it (or prints it, `--dry-run`).
A fix that cannot finish raises `EditError` and its partial changes are dropped
(`attempt`), so each rule's fix is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from svc_serverless.edit.yamledit import EditError, YamlEditor
from svc_serverless.linter.model import LoadedRepo


@dataclass
class FixContext:
    root: Path
    repo: LoadedRepo
    unsafe: bool = False
    new_files: dict[str, str] = field(default_factory=dict)  # repo-relative path -> text
    renames: list[tuple[str, str]] = field(default_factory=list)  # folder renames, in order
    notes: list[str] = field(default_factory=list)  # what a fix left alone, and why
    _editor: YamlEditor | None = None

    @property
    def template_path(self) -> str:
        template = self.repo.template
        if template is None:
            raise EditError("the repo has no template")
        return template.path

    @property
    def editor(self) -> YamlEditor:
        """The template's editor, opened once; a JSON template is not edited (no YAML lines)."""
        if self._editor is None:
            path = self.template_path
            if path.endswith(".json"):
                raise EditError("a JSON template is not edited by --fix")
            text = (self.root / path).read_text(encoding="utf-8")
            self._editor = YamlEditor(text)
        return self._editor

    def add_file(self, path: str, text: str) -> None:
        if (self.root / path).exists() or path in self.new_files:
            self.notes.append(f"{path} exists: kept")
            return
        self.new_files[path] = text

    @contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """Run one fix: on EditError its changes are undone and a note says why."""
        mark = self._editor.mark() if self._editor is not None else 0
        files, renames = dict(self.new_files), list(self.renames)
        try:
            yield
        except EditError as err:
            if self._editor is not None:
                self._editor.rollback(mark)
            self.new_files, self.renames = files, renames
            self.notes.append(f"{what}: not fixed ({err})")


Fixer = Callable[[FixContext], None]
