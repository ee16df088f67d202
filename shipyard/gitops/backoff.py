"""Capped exponential backoff for temporary apply failures.

The n-th consecutive failure waits `base * factor**(n-1)`, never more than `cap`. Jitter is
a function injected by the caller (`full_jitter(random.Random())` in production, nothing
or a fixed function in tests), so every value is deterministic under test.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

DEFAULT_BASE = timedelta(seconds=15)
DEFAULT_FACTOR = 2.0
DEFAULT_CAP = timedelta(minutes=10)

Jitter = Callable[[timedelta], timedelta]
"""Takes the capped delay, returns the delay to use (clamped to `0..cap` afterwards)."""


@dataclass(frozen=True)
class Backoff:
    base: timedelta = DEFAULT_BASE
    """The wait after the first failure (default `DEFAULT_BASE`, 15 s)."""
    factor: float = DEFAULT_FACTOR
    """Each further failure multiplies the wait by this (default 2)."""
    cap: timedelta = DEFAULT_CAP
    """No wait is longer than this (default `DEFAULT_CAP`, 10 min)."""
    jitter: Jitter | None = None
    """Spreads retries of many stacks apart; None waits exactly the capped value."""

    def __post_init__(self) -> None:
        if self.base <= timedelta(0):
            raise ValueError("`base` must be positive")
        if self.factor < 1:
            raise ValueError("`factor` must be at least 1")
        if self.cap < self.base:
            raise ValueError("`cap` must be at least `base`")

    def delay(self, failures: int) -> timedelta:
        """The wait after `failures` consecutive failures (1 = the first failure)."""
        if failures < 1:
            raise ValueError("`failures` must be at least 1")
        wait = self.base
        for _ in range(failures - 1):  # multiply step by step: no float overflow
            if wait >= self.cap:
                break
            wait = wait * self.factor
        wait = min(wait, self.cap)
        if self.jitter is not None:
            wait = max(timedelta(0), min(self.jitter(wait), self.cap))
        return wait


def full_jitter(rng: random.Random) -> Jitter:
    """A uniformly random wait between zero and the capped delay ("full jitter")."""
    return lambda wait: wait * rng.random()
