"""Blueprint problems, each reported as `FILE:LINE:COL: field.path: message`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

Path = tuple[str | int, ...]
Finding = tuple[Path, str]
"""A semantic check's result: the field path and the message; the loader adds positions."""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """` (did you mean `x`?)` for the closest of `choices`, or nothing."""
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def format_path(path: Path) -> str:
    """`("spec", "models", 0, "name")` -> `spec.models[0].name`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class Elsewhere(str):
    """A finding's message about another file than the blueprint (a manifest, a values
    file), carrying its own position there: the problem is reported at that FILE:LINE."""

    file: str
    line: int
    column: int

    def __new__(cls, message: str, file: str, line: int, column: int = 1) -> Elsewhere:
        made = super().__new__(cls, message)
        made.file, made.line, made.column = file, line, column
        return made


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    line: int = 1
    column: int = 1
    file: str | None = None
    """Set when the problem is in another file than the blueprint (`Elsewhere`)."""

    def render(self, file: str) -> str:
        if self.file is not None:
            field = format_path(self.path)
            where = f"{self.file}:{self.line}:{self.column}"
            return f"{where}: {self.message} (from `{field}` in {file})"
        where = f"{file}:{self.line}:{self.column}"
        field = format_path(self.path)
        return f"{where}: {field}: {self.message}" if field else f"{where}: {self.message}"


class BlueprintError(Exception):
    """A blueprint that cannot be used; carries every problem found, not just the first."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(
            problems, key=lambda p: (p.file or "", p.line, p.column, format_path(p.path))
        )
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(problem.render(self.file) for problem in self.problems)
