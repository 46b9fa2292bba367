"""Edit a YAML file the user wrote, touching only the lines an edit adds or changes.

A round-trip library (ruamel.yaml) re-emits the whole document on every save: it re-wraps long
lines, normalises flow mappings and spacing and applies one indentation to every level, so a
one-key change shows up as a diff of unrelated lines in a hand-written template. This editor
never re-emits what it did not change. It reads the document's node positions with PyYAML's
composer (which keeps CloudFormation's short tags as they are, without constructing anything),
and each edit is a text splice on the original: new keys are inserted as new lines after the
mapping's last entry, in the file's own indentation (`emit.Style`, measured from the file), or
before the `}` of a flow mapping; a changed scalar is replaced where it stands. Comments, key
order, quoting, flow style and tags of everything else are the original bytes.

The result is checked by svc's own template loader before anyone may write it (`result`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from svc_serverless.edit.emit import Style, entry, inline, intrinsic, items
from svc_serverless.errors import SvcError


class EditError(SvcError):
    """An edit this editor cannot make without rewriting lines it does not own."""


def _compose(text: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as err:
        raise EditError(f"cannot read the file to edit it: {str(err).splitlines()[0]}") from None
    if not isinstance(node, yaml.MappingNode):
        raise EditError("the file is not a YAML mapping")
    return node


def _style(root: yaml.MappingNode) -> Style:
    """The indentation the document uses: first nested block mapping and block list found."""
    unit = dash = None
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack and (unit is None or dash is None):
        node, _ = stack.pop(0)
        if not isinstance(node, yaml.MappingNode) or node.flow_style:
            continue
        for key, value in node.value:
            key_col = key.start_mark.column
            if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
                if unit is None and value.start_mark.line > key.start_mark.line:
                    unit = value.value[0][0].start_mark.column - key_col
                stack.append((value, key_col))
            elif isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                if dash is None and value.start_mark.line > key.start_mark.line:
                    dash = value.start_mark.column - key_col
                for item in value.value:
                    stack.append((item, 0))
    unit = unit if unit and unit > 0 else 2
    return Style(unit=unit, dash=dash if dash is not None and dash >= 0 else 0)


def _content_end(text: str, node: yaml.Node) -> int:
    """Index just past the last non-blank character that belongs to `node`."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(text, node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(text, node.value[-1])
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _line_after(text: str, index: int) -> int:
    """Index of the start of the line after the one holding `index - 1`."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


class YamlEditor:
    """Edits collected against one text; `result()` applies them all at once."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.root = _compose(text)
        assert isinstance(self.root, yaml.MappingNode)
        self.style = _style(self.root)
        self._edits: list[tuple[int, int, int, str]] = []  # (start, order, end, replacement)

    def node(self, path: Sequence[str]) -> yaml.Node | None:
        """The node at a path of mapping keys, or None."""
        node: yaml.Node = self.root
        for key in path:
            found = _child(node, key)
            if found is None:
                return None
            node = found
        return node

    def set(self, path: Sequence[str], value: Any) -> None:
        """Make the mapping at `path` hold `value` (a mapping merges into what is there)."""
        node: yaml.Node = self.root
        for depth, key in enumerate(path):
            found = _child(node, key)
            if found is None:
                nested: Any = value
                for inner in reversed(path[depth + 1:]):
                    nested = {inner: nested}
                self._insert(node, {key: nested})
                return
            node = found
        self._merge(node, value, path)

    def add(self, path: Sequence[str], key: str, value: Any) -> None:
        """Add `key: value` to the mapping at `path`; the key must not exist yet."""
        if self.node([*path, key]) is not None:
            raise EditError(f"{'/'.join([*path, key])} already exists")
        self.set([*path, key], value)

    def append(self, path: Sequence[str], item: Any) -> None:
        """Add `item` at the end of the list at `path` (created when missing)."""
        node = self.node(path)
        if node is None:
            self.set(path, [item])
            return
        if not isinstance(node, yaml.SequenceNode) or node.tag.startswith("!"):
            raise EditError(f"{'/'.join(path)} is not a list")
        if node.flow_style:
            close = node.end_mark.index - 1
            if self.original[close] != "]":
                raise EditError("cannot find the end of a flow list")
            self._splice(close, close, (", " if node.value else "") + inline(item))
            return
        lines = items([item], node.start_mark.column, self.style)
        at = _line_after(self.original, _content_end(self.original, node))
        prefix = "" if at == 0 or self.original[at - 1] == "\n" else "\n"
        self._splice(at, at, prefix + "\n".join(lines) + "\n")

    def _merge(self, node: yaml.Node, value: Any, path: Sequence[str]) -> None:
        if isinstance(value, Mapping) and intrinsic(value) is None and isinstance(node, yaml.MappingNode):
            missing: dict[str, Any] = {}
            for key, child in value.items():
                found = _child(node, key)
                if found is None:
                    missing[key] = child
                else:
                    self._merge(found, child, [*path, key])
            if missing:
                self._insert(node, missing)
            return
        self.replace(node, value)

    def replace(self, node: yaml.Node, value: Any) -> None:
        """Put `value` where `node` stands (a scalar or flow value: in place)."""
        start = node.start_mark.index
        end = _content_end(self.original, node)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
            raise EditError("replacing a block mapping or list is not supported")
        self._splice(start, end, inline(value))

    def _insert(self, node: yaml.Node, entries: Mapping[str, Any]) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise EditError("cannot add a key to a value that is not a mapping")
        if node.tag.startswith("!"):
            raise EditError(f"cannot add a key inside {node.tag} (a CloudFormation function)")
        if node.flow_style:
            close = node.end_mark.index - 1
            if self.original[close] != "}":
                raise EditError("cannot find the end of a flow mapping")
            body = ", ".join(f"{k}: {inline(v)}" for k, v in entries.items())
            self._splice(close, close, (", " if node.value else "") + body)
            return
        if not node.value:
            raise EditError("cannot add a key to an empty mapping")
        col = node.value[0][0].start_mark.column
        lines: list[str] = []
        for key, value in entries.items():
            lines += entry(key, value, col, self.style)
        at = _line_after(self.original, _content_end(self.original, node))
        prefix = "" if at == 0 or self.original[at - 1] == "\n" else "\n"
        self._splice(at, at, prefix + "\n".join(lines) + "\n")

    def _splice(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, len(self._edits), end, text))

    def mark(self) -> int:
        """A point to roll back to (`rollback`)."""
        return len(self._edits)

    def rollback(self, mark: int) -> None:
        del self._edits[mark:]

    @property
    def changed(self) -> bool:
        return bool(self._edits)

    def text(self) -> str:
        """The original with every edit applied (edits never overlap: each adds or replaces)."""
        out = self.original
        for start, _, end, replacement in sorted(self._edits, reverse=True):
            out = out[:start] + replacement + out[end:]
        return out


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value
            return found
    return None
