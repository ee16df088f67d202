"""The git source's health as pure transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shipyard.gitops.source_health import (
    SourceHealth,
    fetch_failed,
    fetched,
    unready_because,
)

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def test_a_failure_is_reported_at_once_and_fails_readiness_only_at_the_threshold() -> None:
    health = fetched(SourceHealth(), T0, "a" * 40)
    assert (health.available, health.reason, health.message, health.since) == (
        True,
        "Fetched",
        "fetched aaaaaaa",
        T0,
    )
    health = fetch_failed(health, T0 + 15 * S, "git: repository not found")
    health = fetch_failed(health, T0 + 30 * S, "git: connection refused")
    assert (health.available, health.reason, health.failed_fetches) == (
        False,
        "SourceUnavailable",
        2,
    )
    assert (health.since, health.message, health.last_fetch_at) == (
        T0 + 15 * S,
        "git: connection refused",
        T0,
    )
    assert unready_because(health, 3) is None
    health = fetch_failed(health, T0 + 45 * S, "git: connection refused")
    assert unready_because(health, 3) == (
        "the git source is unavailable: 3 fetches in a row failed since "
        "2026-11-23T12:00:15+00:00 (last good fetch: 2026-11-23T12:00:00+00:00): "
        "git: connection refused"
    )
    back = fetched(health, T0 + 60 * S, "b" * 40)
    assert (back.available, back.failed_fetches, back.since, back.head) == (
        True,
        0,
        T0 + 60 * S,
        "b" * 40,
    )
    assert unready_because(back, 3) is None


def test_a_source_never_fetched_is_not_unready_and_serialises() -> None:
    never = fetch_failed(SourceHealth(), T0, "no such remote")
    assert unready_because(never, 1) == (
        "the git source is unavailable: 1 fetches in a row failed since "
        "2026-11-23T12:00:00+00:00 (last good fetch: never): no such remote"
    )
    assert SourceHealth().to_json() == {
        "available": True,
        "reason": "NotFetchedYet",
        "message": "no fetch yet",
        "since": None,
        "failed_fetches": 0,
        "last_fetch_at": None,
        "head": None,
    }
