"""Parse blueprint YAML into plain data plus the line of every key.

Hostile input is refused before it can hurt: oversized files, non-UTF-8 bytes,
duplicate keys, and alias bombs that expand to millions of nodes.

libyaml (PyYAML's C extension) scans and parses; ruamel.yaml's round-trip composer,
YAML 1.2 resolver and constructor turn its events into data with each key's position.
ruamel's own pure-Python scanner was 95% of the time of loading a blueprint.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml as libyaml
from ruamel.yaml import YAML
from ruamel.yaml import events as rt
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.tag import Tag

from shipyard.blueprint.errors import Path, Problem

# libyaml's event parser, in every PyYAML wheel; a PyYAML built without libyaml has none
# and blueprints are then parsed by ruamel alone (slower, same results).
_C_PARSER: Any = (
    getattr(importlib.import_module("yaml._yaml"), "CParser", None)
    if libyaml.__with_libyaml__
    else None
)

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64
MAX_INTEGER = 2**53
"""Pulumi carries numbers as IEEE doubles: a larger integer would not arrive exactly."""
# Deeper flow nesting exhausted the stack of ruamel's own parser (at Python's
# default recursion limit) and was refused without a path; libyaml does not
# recurse, so the same limit is kept by counting open collections.
_MAX_PARSE_DEPTH = 248


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

    def walk(self, node: Any, path: Path, depth: int, at: tuple[int, int] | None = None) -> Any:
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
                value_at = _position(node.lc, "value", key) or (line, column)
                result[key] = self.walk(value, child, depth + 1, value_at)
            return result
        if isinstance(node, CommentedSeq):
            items = []
            for index, value in enumerate(node):
                child = (*path, index)
                position = _position(node.lc, "item", index) or self.positions.locate(path)
                self.positions.at[child] = position
                items.append(self.walk(value, child, depth + 1, position))
            return items
        if isinstance(node, TaggedScalar):
            return self._text(str(node.value), path, at)
        if isinstance(node, str):
            return self._text(str(node), path, at)
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INTEGER:
            line, column = at or self.positions.locate(path)
            raise SourceError(
                Problem(
                    path,
                    f"the number has {len(str(abs(node)))} digits; blueprints take integers "
                    f"up to {MAX_INTEGER} (2^53, what Pulumi carries exactly)",
                    line,
                    column,
                )
            )
        if node is None or isinstance(node, bool | int | float):
            return node
        # Timestamps and other tagged scalars become strings; no blueprint field wants them.
        return str(node)

    def _text(self, text: str, path: Path, at: tuple[int, int] | None) -> str:
        """`text`, unless it holds a character no blueprint value may hold."""
        bad = _UNSAFE.search(text)
        if bad is None:
            return text
        line, column = at or self.positions.locate(path)
        raise SourceError(
            Problem(
                path,
                f"the value holds the control character {_codepoint(bad.group())} at "
                f"character {bad.start() + 1}; remove it",
                line,
                column,
            )
        )


# What no value may hold: C0 controls but tab and newline, DEL, C1 controls, the line and
# paragraph separators, and the bidirectional overrides that let text display other than
# it reads ("Trojan Source", CVE-2021-42574).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


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


def _written_tag(tag: str | None) -> Tag | None:
    """libyaml's resolved tag as ruamel keeps a tag written with a handle (`!!str`)."""
    if tag is None:
        return None
    # The handle is empty in the table so the tag's value is libyaml's full tag;
    # a present handle is what makes ruamel treat `!!str {a: 1}` as a mapping.
    written = Tag(handle="!", suffix=tag, handles={"!": ""})
    written.select_transform(True)
    return written


class _LibyamlEvents:
    """libyaml's events, as ruamel events, behind ruamel's parser interface."""

    def __init__(self, text: str, loader: YAML) -> None:
        self._source = _C_PARSER(text)
        self._loader = loader
        self._current: Any = None
        self._depth = 0

    def check_event(self, *choices: type) -> bool:
        event = self.peek_event()
        return event is not None and (not choices or isinstance(event, choices))

    def peek_event(self) -> Any:
        if self._current is None:
            self._current = self._convert(self._source.get_event())
        return self._current

    def get_event(self) -> Any:
        event = self.peek_event()
        self._current = None
        return event

    def dispose(self) -> None:
        self._source.dispose()

    def _convert(self, event: Any) -> Any:
        if event is None:
            return None
        marks = (event.start_mark, event.end_mark)
        kind = type(event)
        if kind is libyaml.ScalarEvent:
            tag = _written_tag(event.tag)
            style = event.style or None
            return rt.ScalarEvent(
                event.anchor, tag, event.implicit, event.value, *marks, style=style
            )
        if kind is libyaml.MappingStartEvent or kind is libyaml.SequenceStartEvent:
            self._depth += 1
            if self._depth > _MAX_PARSE_DEPTH:
                raise RecursionError
            tag = _written_tag(event.tag)
            target = (
                rt.MappingStartEvent if kind is libyaml.MappingStartEvent else rt.SequenceStartEvent
            )
            return target(event.anchor, tag, event.implicit, *marks, flow_style=event.flow_style)
        if kind is libyaml.MappingEndEvent or kind is libyaml.SequenceEndEvent:
            self._depth -= 1
            end = rt.MappingEndEvent if kind is libyaml.MappingEndEvent else rt.SequenceEndEvent
            return end(*marks)
        if kind is libyaml.AliasEvent:
            return rt.AliasEvent(event.anchor, *marks)
        if kind is libyaml.DocumentStartEvent:
            # As ruamel's parser does: a `%YAML 1.1` directive selects 1.1 resolving.
            self._loader.version = event.version
            return rt.DocumentStartEvent(
                *marks, explicit=event.explicit, version=event.version, tags=event.tags
            )
        if kind is libyaml.DocumentEndEvent:
            return rt.DocumentEndEvent(*marks, explicit=event.explicit)
        if kind is libyaml.StreamStartEvent:
            return rt.StreamStartEvent(*marks, encoding=event.encoding)
        return rt.StreamEndEvent(*marks)


def _round_trip_loader() -> YAML:
    loader = YAML(typ="rt")
    loader.allow_duplicate_keys = False
    return loader


def _load_documents(text: str) -> list[Any]:
    """Every document in `text`, as ruamel's round-trip loader builds it."""
    loader = _round_trip_loader()
    if _C_PARSER is None:
        return list(loader.load_all(text))
    loader._parser = _LibyamlEvents(text, loader)  # type: ignore[attr-defined]
    constructor = loader.constructor
    try:
        documents = []
        while constructor.check_data():
            documents.append(constructor.get_data())
        return documents
    except libyaml.YAMLError:
        # libyaml words syntax errors its own way. Invalid input is rare, so let
        # ruamel's pure-Python parser find and report the error as it always has.
        return list(_round_trip_loader().load_all(text))


def parse_yaml(raw: bytes) -> tuple[Any, Positions]:
    """The document as plain data, and where each key stands in the file."""
    if len(raw) > MAX_BYTES:
        raise SourceError(
            Problem((), f"the file is {len(raw)} bytes; blueprints are limited to {MAX_BYTES}")
        )
    text = _decode(raw)
    try:
        documents = _load_documents(text)
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
