"""Whether the git source can be fetched, as pure transitions over its recorded health.

A failed fetch makes the source `SourceUnavailable` at once (in `/status`), with git's
message and the count of failed fetches in a row; the stacks keep their last good state,
since nothing is applied without a fetch. `/readyz` fails only once `threshold` fetches in
a row failed, so one lost packet does not take a replica out of its Service. The next
good fetch clears it all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

FETCHED = "Fetched"
NOT_FETCHED_YET = "NotFetchedYet"
SOURCE_UNAVAILABLE = "SourceUnavailable"
DEFAULT_UNREADY_AFTER = 4
"""Failed fetches in a row before `/readyz` fails: a minute at the default 15 s interval."""


@dataclass(frozen=True)
class SourceHealth:
    available: bool = True
    reason: str = NOT_FETCHED_YET
    message: str = "no fetch yet"
    since: datetime | None = None
    """When `available` last changed."""
    failed_fetches: int = 0
    """Failed fetches in a row."""
    last_fetch_at: datetime | None = None
    """The last good fetch."""
    head: str | None = None
    """The branch's head at the last good fetch."""

    def to_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "reason": self.reason,
            "message": self.message,
            "since": self.since.isoformat() if self.since else None,
            "failed_fetches": self.failed_fetches,
            "last_fetch_at": self.last_fetch_at.isoformat() if self.last_fetch_at else None,
            "head": self.head,
        }


def fetched(health: SourceHealth, now: datetime, head: str | None) -> SourceHealth:
    """A good fetch: available again (since now, if it was not)."""
    return replace(
        health,
        available=True,
        reason=FETCHED,
        message=f"fetched {head[:7]}" if head else "fetched; the branch has no commit",
        since=health.since if health.available and health.since else now,
        failed_fetches=0,
        last_fetch_at=now,
        head=head,
    )


def fetch_failed(health: SourceHealth, now: datetime, message: str) -> SourceHealth:
    """A failed fetch: unavailable (since now, if it was available), one more failure."""
    return replace(
        health,
        available=False,
        reason=SOURCE_UNAVAILABLE,
        message=message,
        since=now if health.available else health.since,
        failed_fetches=health.failed_fetches + 1,
    )


def unready_because(health: SourceHealth, threshold: int) -> str | None:
    """Why `/readyz` fails for the source, or None."""
    if health.available or health.failed_fetches < threshold:
        return None
    since = health.since.isoformat() if health.since else "?"
    last = health.last_fetch_at.isoformat() if health.last_fetch_at else "never"
    return (
        f"the git source is unavailable: {health.failed_fetches} fetches in a row failed "
        f"since {since} (last good fetch: {last}): {health.message}"
    )
