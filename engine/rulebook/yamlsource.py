"""YAML → plain data, remembering where in the file every value came from.

Rulebook authors need errors at `file:line:col`, including for a mistake in the middle of
an expression, so we keep the position of every node and can map a column inside a
scalar's text back onto the file. Numbers become Decimal straight from their text (never
through float) and dates stay ISO strings until the model parses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from engine.limits import (
    MAX_DIGITS,
    MAX_JSON_DEPTH,
    MAX_YAML_ALIASES,
    MAX_YAML_NODES,
    number_problem,
    shorten,
    strip_bom,
)

try:  # the C loader is much faster on large rulebooks; the pure one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Located:
    line: int  # 1-based
    column: int  # 1-based
    node: yaml.Node


class YamlError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class SourceMap:
    """Positions of the values of one YAML document, addressed by their path."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions: dict[Path, Located] = {}

    def position(self, path: Path) -> tuple[int, int]:
        """The position of the value at `path`, or of its nearest located ancestor."""
        current = tuple(path)
        while current:
            located = self.positions.get(current)
            if located is not None:
                return located.line, located.column
            current = current[:-1]
        located = self.positions.get(())
        return (located.line, located.column) if located else (1, 1)

    def key_position(self, path: Path) -> tuple[int, int]:
        located = self.positions.get(tuple(path) + ("<key>",))
        return (located.line, located.column) if located else self.position(path)

    def position_in_scalar(self, path: Path, line: int, column: int) -> tuple[int, int]:
        """Map (line, column) within a scalar's value onto the file."""
        located = self.positions.get(tuple(path))
        if located is None or not isinstance(located.node, yaml.ScalarNode):
            return self.position(path)
        node = located.node
        value: str = node.value
        lines = value.split("\n")
        offset = sum(len(x) + 1 for x in lines[: max(line - 1, 0)]) + max(column - 1, 0)
        offset = min(offset, len(value))
        source = self.text[node.start_mark.index : node.end_mark.index]
        src_line, src_col = node.start_mark.line, node.start_mark.column
        i = 0  # index into source
        # Walk value and source side by side: whitespace matches any whitespace run,
        # other characters are searched forward (skipping quotes, escapes, indicators).
        for k in range(offset + 1):
            if k == offset:
                break
            ch = value[k]
            if ch.isspace():
                while i < len(source) and not source[i].isspace():
                    src_line, src_col, i = _advance(source, i, src_line, src_col)
                while i < len(source) and source[i].isspace():
                    src_line, src_col, i = _advance(source, i, src_line, src_col)
                continue
            while i < len(source) and source[i] != ch:
                src_line, src_col, i = _advance(source, i, src_line, src_col)
            if i < len(source):
                src_line, src_col, i = _advance(source, i, src_line, src_col)
        # Now i points just past the character before `offset`; skip to the next match.
        if offset < len(value):
            target = value[offset]
            while i < len(source) and source[i] != target and not (
                target.isspace() and source[i].isspace()
            ):
                src_line, src_col, i = _advance(source, i, src_line, src_col)
        return src_line + 1, src_col + 1


def _advance(source: str, i: int, line: int, col: int) -> tuple[int, int, int]:
    if source[i] == "\n":
        return line + 1, 0, i + 1
    return line, col + 1, i + 1


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    text = node.value
    if node.style in ("'", '"', "|", ">"):
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() in ("true", "yes", "on", "y")
    if tag in (_INT, _FLOAT):
        cleaned = text.replace("_", "")
        if cleaned.lower() in (".inf", "-.inf", "+.inf", ".nan"):
            raise YamlError(f"{text!r} is not a finite number", node.start_mark.line + 1, node.start_mark.column + 1)
        if len(cleaned) > 100:  # no amount or rate is written with so many characters
            raise YamlError(f"the number {shorten(text)} has more than {MAX_DIGITS} significant digits", node.start_mark.line + 1, node.start_mark.column + 1)
        try:
            if tag == _INT and cleaned.lower().startswith(("0x", "0o", "-0x", "+0x")):
                number = Decimal(int(cleaned, 0))
            else:
                number = Decimal(cleaned)
        except (InvalidOperation, ValueError):
            return text
        problem = number_problem(number)
        if problem is not None:
            raise YamlError(f"the number {shorten(text)} {problem}", node.start_mark.line + 1, node.start_mark.column + 1)
        return number
    return text  # strings and timestamps stay text


def load(text: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document; raise YamlError with a position on any problem.

    The one YAML reader of the project (rulebooks and facts files alike), safe for a
    hostile file: only plain data (no tags that build objects), at most MAX_YAML_ALIASES
    uses of an alias and MAX_YAML_NODES nodes once aliases are expanded (a 481-byte
    "billion laughs" file would otherwise expand to gigabytes), at most MAX_JSON_DEPTH
    levels of nesting, every number within engine.limits' bounds."""
    text = strip_bom(text)
    source_map = SourceMap(text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"YAML syntax: {exc.problem or exc.context}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML: {exc}", 1, 1) from None
    except RecursionError:
        raise YamlError(f"YAML nested deeper than {MAX_JSON_DEPTH} levels", 1, 1) from None
    if root is None:
        return None, source_map
    return _Expansion().build(root, (), source_map), source_map


class _Expansion:
    """Counts what building the data costs: aliases used (a node met again is an alias)
    and nodes built, so that an alias bomb stops at the first use past the bounds."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.aliases = 0
        self.nodes = 0

    def build(self, node: yaml.Node, path: Path, source_map: SourceMap) -> Any:
        self.nodes += 1
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen and not isinstance(node, yaml.ScalarNode):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise YamlError(f"more than {MAX_YAML_ALIASES} uses of YAML aliases (*name); write the values out", *where)
        self.seen.add(id(node))
        if self.nodes > MAX_YAML_NODES:
            raise YamlError(f"more than {MAX_YAML_NODES:,} values once YAML aliases are expanded", *where)
        if len(path) > MAX_JSON_DEPTH:
            raise YamlError(f"YAML nested deeper than {MAX_JSON_DEPTH} levels", *where)
        return _build(node, path, source_map, self)


def _build(node: yaml.Node, path: Path, source_map: SourceMap, expansion: _Expansion) -> Any:
    source_map.positions[path] = Located(node.start_mark.line + 1, node.start_mark.column + 1, node)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [expansion.build(child, path + (i,), source_map) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("a mapping key must be a plain name", key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("YAML merge keys (<<) are not supported in rulebooks", key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            key = key_node.value
            if key in result:
                raise YamlError(f"duplicate key {key!r}", key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            source_map.positions[path + (key, "<key>")] = Located(
                key_node.start_mark.line + 1, key_node.start_mark.column + 1, key_node
            )
            result[key] = expansion.build(value_node, path + (key,), source_map)
        return result
    raise YamlError(f"unsupported YAML node {node.tag}", node.start_mark.line + 1, node.start_mark.column + 1)  # pragma: no cover
