"""The shared Args pieces: problem functions as validators, storage quantities."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import ValidationError

from components.shared.args import ComponentArgs, problem_validator, storage_quantity_problem


def _even_problem(value: int) -> str | None:
    return None if value % 2 == 0 else f"{value} is odd"


class Even(ComponentArgs):
    value: Annotated[int, problem_validator(_even_problem)]


def test_problem_validator_keeps_good_values_and_raises_the_problem() -> None:
    assert Even(value=4).value == 4
    with pytest.raises(ValidationError, match="3 is odd"):
        Even(value=3)


@pytest.mark.parametrize("size", ["1Mi", "20Gi", "2Ti"])
def test_whole_mi_gi_ti_are_storage_quantities(size: str) -> None:
    assert storage_quantity_problem(size, "20Gi") is None


@pytest.mark.parametrize("size", ["20G", "0Gi", "1.5Gi", "020Gi", "20gi", ""])
def test_other_sizes_are_refused_with_the_example(size: str) -> None:
    assert storage_quantity_problem(size, "100Gi") == (
        f"`{size}` is not a storage quantity; use a whole number of Mi, Gi or Ti, e.g. `100Gi`"
    )
