"""Read a YAML file of Kubernetes objects, keeping the line and column of every key and
list item, so a problem inside an object is reported at the file's FILE:LINE (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Position = tuple[int, int]
ObjectPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1 << 20
"""The same limit as a blueprint's (`shipyard/blueprint/yaml_source.py`)."""


@dataclass(frozen=True)
class Document:
    """One object of a YAML stream, with the positions of its keys and items."""

    data: Any
    line: int
    """The 1-based line where the document starts."""
    positions: dict[ObjectPath, Position] = field(default_factory=dict)

    def locate(self, path: ObjectPath) -> Position:
        """The position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return (self.line, 1)


class DocumentError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def _positions(node: yaml.Node, path: ObjectPath, into: dict[ObjectPath, Position]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, str(key.value))
                into[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
                _positions(value, child, into)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            into[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _positions(item, child, into)


def read_documents(text: str) -> list[Document]:
    """Every non-empty document of `text`; `DocumentError` with a position if it is not
    YAML."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise DocumentError(f"the file is over {MAX_FILE_BYTES} bytes", 1, 1)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
        values = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DocumentError(f"not valid YAML: {error.problem}", line, column) from None
    documents = []
    for node, value in zip(nodes, values, strict=True):
        if node is None or value is None:
            continue
        positions: dict[ObjectPath, Position] = {}
        _positions(node, (), positions)
        documents.append(Document(value, node.start_mark.line + 1, positions))
    return documents
