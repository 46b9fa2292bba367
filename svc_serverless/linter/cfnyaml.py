"""Read CloudFormation/SAM templates (YAML or JSON) keeping the line and column of every value.

Why not plain `yaml.safe_load`: it rejects the short-form tags (`!Ref`, `!GetAtt a.b`), silently
keeps the last of two duplicate keys, expands alias bombs, and forgets where each value was.
Why not cfn-lint's decoder: importing cfn-lint costs over a second (DESIGN.md §3).

Every mapping, list and string comes back as `MarkedDict`, `MarkedList` or `MarkedStr`: the
plain built-in type plus `.line` and `.col` (1-based), so rules can report `file:line:col`.
Keys of a `MarkedDict` are `MarkedStr` too, so a rule can point at a key.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import yaml

# Bounds that keep a hostile or broken document from hanging or exhausting the run.
MAX_NODES = 200_000  # nodes after alias expansion; a real template has a few thousand
MAX_DEPTH = 100  # nesting; the deepest corpus template is under 20
MAX_BYTES = 5 * 1024 * 1024  # CloudFormation itself refuses templates over 1 MB
MAX_DOCUMENTS = 20  # in a multi-document file (a Backstage catalog-info.yaml: a few entities)
# Longer numbers are refused before conversion: Python refuses to convert decimal integers
# over 4,300 digits (and would spend quadratic time on them), and a sexagesimal `1:2:3...`
# multiplies big integers once per part.
MAX_NUMBER_CHARS = 1000


class MarkedStr(str):
    """A string that remembers where it was in the file."""

    line: int
    col: int


class MarkedDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it was in the file."""

    line: int
    col: int


class MarkedList(list):  # type: ignore[type-arg]
    """A list that remembers where it was in the file."""

    line: int
    col: int


class TemplateSyntaxError(Exception):
    """The document is not a readable template; `line`/`col` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def position(value: object) -> tuple[int, int]:
    """The (line, col) of a value read by this module, or (0, 0) for unmarked scalars."""
    return getattr(value, "line", 0), getattr(value, "col", 0)


def plain(value: Any) -> Any:
    """A value read by this module as plain dicts, lists and strings: what pickles to workers
    small, what `repr` and `yaml.safe_dump` show without the marks."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


_T = TypeVar("_T", MarkedStr, MarkedDict, MarkedList)


def _mark(obj: _T, node: yaml.Node) -> _T:
    obj.line = node.start_mark.line + 1
    obj.col = node.start_mark.column + 1
    return obj


def _intrinsic_name(tag: str) -> str:
    name = tag[1:]
    if name in ("Ref", "Condition"):
        return name
    return "Fn::" + name


class _Loader(yaml.CSafeLoader):
    """The C loader with marked containers, CloudFormation tags and duplicate-key errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> MarkedDict:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        result = _mark(MarkedDict(), node)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not supported by CloudFormation",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):  # CloudFormation refuses it ("Unhashable type")
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping or list cannot be a key", key_node.start_mark)
            if not isinstance(key, str):
                key = _mark(MarkedStr(str(key)), key_node)
            if key in result:
                first = next(k for k in result if k == key)
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"duplicate key {key!r} (first defined on line {position(first)[0]})",
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_marked_seq(self, node: yaml.SequenceNode) -> MarkedList:
        if not isinstance(node, yaml.SequenceNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a sequence, found {node.id}", node.start_mark
            )
        return _mark(MarkedList(self.construct_object(n, deep=True) for n in node.value), node)

    def construct_checked_scalar(self, node: yaml.Node) -> Any:
        """int, float and bool, refusing what PyYAML would crash on (`!!int abc`, huge numbers)."""
        kind = node.tag.rsplit(":", 1)[-1]
        text = self.construct_scalar(node)  # type: ignore[arg-type]  # raises on a non-scalar
        if len(text) > MAX_NUMBER_CHARS:
            raise yaml.constructor.ConstructorError(
                None, None, f"{kind} value longer than {MAX_NUMBER_CHARS} characters",
                node.start_mark,
            )
        constructor = {"int": self.construct_yaml_int, "float": self.construct_yaml_float,
                       "bool": self.construct_yaml_bool}[kind]
        try:
            return constructor(node)  # type: ignore[arg-type]  # a scalar: checked above
        except (ValueError, KeyError, IndexError):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not a valid {kind}", node.start_mark
            ) from None

    def construct_unsupported(self, node: yaml.Node) -> Any:
        raise yaml.constructor.ConstructorError(
            None, None, f"YAML type {node.tag} is not supported by CloudFormation", node.start_mark
        )

    def construct_marked_str(self, node: yaml.ScalarNode) -> MarkedStr:
        return _mark(MarkedStr(self.construct_scalar(node)), node)

    def construct_cfn_tag(self, tag_suffix: str, node: yaml.Node) -> MarkedDict:
        tag = "!" + tag_suffix
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = self.construct_marked_str(node)
            if tag == "!GetAtt" and "." in value:
                resource, _, attribute = value.partition(".")
                value = MarkedList([_mark(MarkedStr(resource), node), _mark(MarkedStr(attribute), node)])
                _mark(value, node)
        elif isinstance(node, yaml.SequenceNode):
            value = self.construct_marked_seq(node)
        else:
            value = self.construct_mapping(node)  # type: ignore[arg-type]
        result = _mark(MarkedDict(), node)
        result[_mark(MarkedStr(_intrinsic_name(tag)), node)] = value
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_marked_seq)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_marked_str)
# CloudFormation has no timestamps or binary: keep such values as the strings the author wrote.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_marked_str)
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader.construct_marked_str)
for _kind in ("int", "float", "bool"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _Loader.construct_checked_scalar)
# Sets and ordered maps have no JSON form; PyYAML would hand rules a set or a list of tuples.
for _kind in ("set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _Loader.construct_unsupported)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_cfn_tag(suffix, node))


def _at(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _check_size(root: yaml.Node) -> int:
    """Refuse alias bombs, cycles and absurd nesting before constructing anything.

    The composer shares aliased nodes, so the document's expanded size is computed over the
    node graph with memoisation: linear in the file, however many times an anchor is reused.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            raise TemplateSyntaxError(f"document nests deeper than {MAX_DEPTH} levels", *_at(node))
        if key in in_progress:
            raise TemplateSyntaxError("recursive YAML alias", *_at(node))
        in_progress.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
        in_progress.discard(key)
        if total > MAX_NODES:
            raise TemplateSyntaxError(
                f"document expands to more than {MAX_NODES} values (YAML alias bomb?)", *_at(node)
            )
        sizes[key] = total
        return total

    return size(root, 0)


def loads(text: str) -> Any:
    """Parse one YAML or JSON document into marked values; raise TemplateSyntaxError if unreadable."""
    if len(text) > MAX_BYTES:
        raise TemplateSyntaxError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = err.problem or err.context or "invalid YAML"
        raise TemplateSyntaxError(problem, line, col) from None
    except yaml.YAMLError as err:
        raise TemplateSyntaxError(str(err).splitlines()[0]) from None
    except RecursionError:
        raise TemplateSyntaxError(f"document nests deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def loads_all(text: str) -> list[Any]:
    """Every document of a multi-document YAML file (`---` between them), marked like `loads`.

    The bounds of one document hold for the whole file: MAX_BYTES of text, MAX_NODES values
    over all documents together, MAX_DEPTH nesting, and at most MAX_DOCUMENTS documents, so
    many small documents cannot add up to what one large one may not be. Empty documents are
    left out. Lines and columns are the file's.
    """
    if len(text) > MAX_BYTES:
        raise TemplateSyntaxError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    loader = _Loader(text)
    documents: list[Any] = []
    nodes = count = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            count += 1
            if count > MAX_DOCUMENTS:
                raise TemplateSyntaxError(f"file holds more than {MAX_DOCUMENTS} YAML documents",
                                          *_at(node))
            nodes += _check_size(node)
            if nodes > MAX_NODES:
                raise TemplateSyntaxError(f"documents expand to more than {MAX_NODES} values",
                                          *_at(node))
            value = loader.construct_document(node)
            if value is not None:
                documents.append(value)
        return documents
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise TemplateSyntaxError(err.problem or err.context or "invalid YAML", line, col) from None
    except yaml.YAMLError as err:
        raise TemplateSyntaxError(str(err).splitlines()[0]) from None
    except RecursionError:
        raise TemplateSyntaxError(f"document nests deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise TemplateSyntaxError(f"duplicate key {key!r}")
        result[key] = value
    return result


JSON_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
"""One JSON string token, quotes included. Scanning valid JSON from its start with finditer
yields exactly its strings (outside them JSON has no quote): positions in one linear pass."""


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise TemplateSyntaxError(f"int value longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _check_json_shape(value: Any) -> None:
    """The bounds `_check_size` puts on YAML, for a parsed JSON value (no aliases in JSON)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise TemplateSyntaxError(f"document nests deeper than {MAX_DEPTH} levels")
        if count > MAX_NODES:
            raise TemplateSyntaxError(f"document has more than {MAX_NODES} values")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def loads_json(text: str, *, duplicates: bool = True) -> Any:
    """A JSON document, bounded like `loads` (size, nesting, values, number length).

    Plain values without positions, at json's speed: for JSON svc reads in bulk (facts files,
    answers, package.json). `duplicates=False` refuses duplicate keys (json keeps the last).
    """
    if len(text) > MAX_BYTES:
        raise TemplateSyntaxError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        value = json.loads(text, parse_int=_json_int,
                           object_pairs_hook=None if duplicates else _no_duplicates)
    except json.JSONDecodeError as err:
        raise TemplateSyntaxError(err.msg, err.lineno, err.colno) from None
    except RecursionError:
        raise TemplateSyntaxError(f"document nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:
        raise TemplateSyntaxError(str(err).splitlines()[0]) from None
    _check_json_shape(value)
    return value


def loads_json_fallback(text: str) -> Any:
    """JSON that YAML 1.1 cannot read (tabs, some escapes): values without positions.

    Duplicate keys are refused here too: json.loads would silently keep the last one.
    """
    return loads_json(text, duplicates=False)


def load_template_text(text: str, is_json: bool) -> Any:
    """Parse a template's text; JSON files fall back to the json module if YAML refuses them."""
    try:
        return loads(text)
    except TemplateSyntaxError as error:
        if not is_json or error.message.startswith("duplicate key"):
            raise
        return loads_json_fallback(text)
