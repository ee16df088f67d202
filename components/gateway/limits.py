"""Requests and tokens per minute, and how a limit multiplies when every replica and
worker of the gateway counts it on its own (pure)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from components.shared.args import ComponentArgs


class Limits(ComponentArgs):
    """Requests and tokens per minute; none leaves that dimension unlimited."""

    rpm: Annotated[int | None, Field(gt=0, description="Requests per minute.")] = None
    tpm: Annotated[int | None, Field(gt=0, description="Tokens per minute.")] = None


def limit_params(limits: Limits) -> dict[str, int]:
    """`{"rpm": ..., "tpm": ...}` for the dimensions that are set."""
    return {name: value for name, value in (("rpm", limits.rpm), ("tpm", limits.tpm)) if value}


def route_limit_params(limits: Limits, counters: int) -> dict[str, int]:
    """A route's `rpm`/`tpm` as each proxy process enforces them. LiteLLM 1.83.14 counts a
    route's requests in the shared cache, but checks its tokens against the process's own
    count even with a cache (`ModelRateLimitingCheck` reads tpm `local_only`; measured in
    tests/components/gateway/test_shared_limits.py). So `tpm` is split evenly over the
    `counters` processes: together they never pass more than the declared limit (plus
    the one request each may start under it)."""
    params = limit_params(limits)
    if "tpm" in params and counters > 1:
        params["tpm"] = max(1, params["tpm"] // counters)
    return params


def multiplied_limit(owner: str, limits: Limits, counters: int) -> str | None:
    """How far `limits` really reach when `counters` processes each keep their own count,
    e.g. "`rpm: 3000` of `mistral-7b` lets up to 9000 through"; None when nothing is
    multiplied."""
    params = limit_params(limits)
    if counters <= 1 or not params:
        return None
    parts = [
        f"`{name}: {value}` of {owner} lets up to {value * counters} {name} through"
        for name, value in params.items()
    ]
    return ", ".join(parts)
