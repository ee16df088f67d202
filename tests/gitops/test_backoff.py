"""`Backoff.delay`: exact values, the cap, and injected jitter."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from shipyard.gitops.backoff import Backoff, full_jitter

S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(1, 15), (2, 30), (3, 60), (4, 120), (5, 240), (6, 480), (7, 600), (8, 600), (500, 600)],
)
def test_default_backoff_doubles_from_15s_up_to_10_minutes(failures: int, seconds: int) -> None:
    assert Backoff().delay(failures) == seconds * S


def test_custom_base_factor_and_cap() -> None:
    backoff = Backoff(base=2 * S, factor=3, cap=50 * S)
    assert [backoff.delay(n) for n in range(1, 6)] == [2 * S, 6 * S, 18 * S, 50 * S, 50 * S]


def test_jitter_is_injected_and_clamped_to_the_cap() -> None:
    halved = Backoff(jitter=lambda wait: wait / 2)
    assert [halved.delay(n) for n in (1, 2, 9)] == [7.5 * S, 15 * S, 300 * S]
    doubled = Backoff(jitter=lambda wait: wait * 2)
    assert doubled.delay(9) == 600 * S
    negative = Backoff(jitter=lambda wait: -wait)
    assert negative.delay(1) == timedelta(0)


def test_full_jitter_stays_between_zero_and_the_delay() -> None:
    backoff = Backoff(jitter=full_jitter(random.Random(7)))
    waits = [backoff.delay(3) for _ in range(50)]
    assert all(timedelta(0) <= wait <= 60 * S for wait in waits)
    assert len(set(waits)) > 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base": timedelta(0)}, "`base` must be positive"),
        ({"factor": 0.5}, "`factor` must be at least 1"),
        ({"base": 20 * S, "cap": 10 * S}, "`cap` must be at least `base`"),
    ],
)
def test_invalid_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Backoff(**kwargs)  # type: ignore[arg-type]


def test_failures_start_at_one() -> None:
    with pytest.raises(ValueError, match="`failures` must be at least 1"):
        Backoff().delay(0)
