"""The base every component Args model shares, and the bridge from a `*_problem`
function to a Pydantic validator."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict

T = TypeVar("T")

# The storage quantities Shipyard takes for volumes: a whole number of Mi, Gi or Ti.
_STORAGE_QUANTITY = re.compile(r"[1-9][0-9]*(Mi|Gi|Ti)")


class ComponentArgs(BaseModel):
    """Frozen and strict: an unknown argument is an error, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def problem_validator(check: Callable[[T], str | None]) -> AfterValidator:
    """A Pydantic validator raising `check`'s problem, so Args and blueprint checks agree."""

    def run(value: T) -> T:
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(run)


def storage_quantity_problem(size: str, example: str) -> str | None:
    """Why `size` is not a storage quantity Shipyard takes, or None; the message suggests
    `example` (each component suggests a size that suits it)."""
    if _STORAGE_QUANTITY.fullmatch(size):
        return None
    return (
        f"`{size}` is not a storage quantity; use a whole number of Mi, Gi or Ti, e.g. `{example}`"
    )


def storage_size_problem(size: str) -> str | None:
    """Why `size` is not a storage quantity Shipyard takes (`20Gi`), or None."""
    return storage_quantity_problem(size, "20Gi")


StorageSize = Annotated[str, problem_validator(storage_size_problem)]
