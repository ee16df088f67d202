"""Parse blueprint YAML into plain data plus the line of every key.

Hostile input is refused before it can hurt: oversized files, non-UTF-8 bytes,
duplicate keys, and alias bombs that expand to millions of nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from shipyard.blueprint.errors import Path, Problem

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64


class SourceError(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.message)


@dataclass
class Positions:
    """1-based (line, column) of each path's key, or of each sequence item."""

    at: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that exists."""
        for end in range(len(path), 0, -1):
            found = self.at.get(path[:end])
            if found:
                return found
        return (1, 1)


@dataclass
class _Walker:
    positions: Positions
    nodes: int = 0

    def walk(self, node: Any, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SourceError(
                Problem(
                    path,
                    f"the document expands to more than {MAX_NODES} nodes "
                    "(too large, or an alias bomb)",
                    *self.positions.locate(path),
                )
            )
        if depth > MAX_DEPTH:
            raise SourceError(
                Problem(
                    path, f"nesting deeper than {MAX_DEPTH} levels", *self.positions.locate(path)
                )
            )
        tag = _explicit_tag(node)
        if tag is not None and tag not in _CORE_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise SourceError(
                Problem(
                    path,
                    f"the YAML tag `{shown}` is not allowed in a blueprint; remove it",
                    *self.positions.locate(path),
                )
            )
        if isinstance(node, CommentedMap):
            result: dict[str, Any] = {}
            for key, value in node.items():
                child = (*path, str(key))
                # Keys merged in with `<<: *anchor` have no position of their own:
                # they stand where the mapping that merges them stands.
                line, column = _position(node.lc, "key", key) or self.positions.locate(path)
                self.positions.at[child] = (line, column)
                if not isinstance(key, str):
                    raise SourceError(
                        Problem(child, f"keys must be strings, got {key!r}", line, column)
                    )
                result[key] = self.walk(value, child, depth + 1)
            return result
        if isinstance(node, CommentedSeq):
            items = []
            for index, value in enumerate(node):
                child = (*path, index)
                position = _position(node.lc, "item", index) or self.positions.locate(path)
                self.positions.at[child] = position
                items.append(self.walk(value, child, depth + 1))
            return items
        if isinstance(node, TaggedScalar):
            return str(node.value)
        if isinstance(node, str):
            return str(node)
        if node is None or isinstance(node, bool | int | float):
            return node
        # Timestamps and other tagged scalars become strings; no blueprint field wants them.
        return str(node)


# Explicit core-schema tags (`!!str 5`) are harmless; anything else (`!foo`,
# `!!python/object:...`) has no meaning in a blueprint.
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


def _explicit_tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None)
    return value if isinstance(value, str) else None


def _position(line_columns: Any, kind: str, index: Any) -> tuple[int, int] | None:
    """1-based (line, column) of a key or item, or None where ruamel has none."""
    try:
        found = getattr(line_columns, kind)(index)
    except (KeyError, IndexError, TypeError):
        return None
    if not found:
        return None
    line, column = found
    return (line + 1, column + 1)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            Problem(
                (), f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x})", line, column
            )
        ) from None


def parse_yaml(raw: bytes) -> tuple[Any, Positions]:
    """The document as plain data, and where each key stands in the file."""
    if len(raw) > MAX_BYTES:
        raise SourceError(
            Problem((), f"the file is {len(raw)} bytes; blueprints are limited to {MAX_BYTES}")
        )
    text = _decode(raw)
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        documents = list(yaml.load_all(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise SourceError(Problem((), f"invalid YAML: {message}", line, column)) from None
    except YAMLError as error:
        raise SourceError(Problem((), f"invalid YAML: {error}")) from None
    except RecursionError:
        # The parser recurses once per level: hundreds of nested `[` exhaust the
        # stack before the walker below can count the depth.
        raise SourceError(Problem((), f"nesting deeper than {MAX_DEPTH} levels")) from None
    if len(documents) != 1:
        raise SourceError(
            Problem((), f"a blueprint holds exactly one YAML document, found {len(documents)}")
        )
    positions = Positions()
    data = _Walker(positions).walk(documents[0], (), 0)
    if not isinstance(data, dict):
        raise SourceError(
            Problem((), "a blueprint is a mapping with `apiVersion`, `kind`, `metadata` and `spec`")
        )
    return data, positions
