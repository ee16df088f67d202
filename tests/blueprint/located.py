"""Helpers for blueprint tests that assert errors at the exact FILE:LINE:COL.

Bind the file name once per test module:

    at = partial(located_at, FILE)
    load = partial(load_text, FILE)
    problems = partial(load_problems, FILE)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import BlueprintError, Platform, load_blueprint


def located_at(file: str, text: str, needle: str, nth: int = 0) -> str:
    """FILE:LINE:COL of the `nth` (from 0) line of `text` holding `needle`."""
    found = [
        f"{file}:{number}:{line.index(needle) + 1}"
        for number, line in enumerate(text.splitlines(), start=1)
        if needle in line
    ]
    if len(found) <= nth:
        raise AssertionError(f"{needle!r} is not in the blueprint {nth + 1} time(s)")
    return found[nth]


def load_text(file: str, tmp_path: Path, text: str) -> Platform:
    """`text` written to `tmp_path/file` and loaded, shown under the name `file`."""
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    return load_blueprint(path, name=file)


def load_problems(file: str, tmp_path: Path, text: str) -> list[str]:
    """The rendered problem lines of a blueprint that must fail to load."""
    with pytest.raises(BlueprintError) as caught:
        load_text(file, tmp_path, text)
    return caught.value.render().splitlines()


def line_column(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the `occurrence`-th `needle` in `text`; the needle may
    span lines (`"nodePool: gpu-smal\n"`), unlike `located_at`'s."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1
