"""GitHub push webhooks: HMAC-SHA256 signatures and replay protection, as pure functions.

GitHub signs the raw body with the webhook secret and sends `X-Hub-Signature-256:
sha256=<hex>`; every delivery has a unique `X-GitHub-Delivery` id. A delivery is accepted
when its signature matches (compared in constant time) and its id was not seen within the
replay window. The signature is checked *before* the id is remembered, so unsigned
requests cannot fill the seen-store or block a real delivery.

GitHub signs neither the id nor a timestamp, so one signed body can be sent again under a
fresh id. What bounds that: ids must be GitHub's GUIDs (`DELIVERY_ID`), at most
`DEFAULT_MAX_DELIVERIES` are remembered (the oldest go first), and accepted pushes trigger
passes at most as fast as `TriggerLimiter` lets them. A replayed push only triggers a
reconcile, which applies nothing that git does not already say. A "Redeliver" from GitHub's
UI reuses the id and is rejected within the window; the next poll picks the change up.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

SIGNATURE_HEADER = "X-Hub-Signature-256"
DELIVERY_HEADER = "X-GitHub-Delivery"
EVENT_HEADER = "X-GitHub-Event"
SIGNATURE_PREFIX = "sha256="
DEFAULT_REPLAY_WINDOW = timedelta(hours=24)
DEFAULT_MAX_DELIVERIES = 10_000
"""Ids remembered at most: 36 characters each, so well under 2 MB."""
DELIVERY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""GitHub's delivery ids are GUIDs, e.g. `72d3162e-cc78-11e3-81ab-4c9367dc0958`."""
DEFAULT_TRIGGER_BURST = 5
DEFAULT_TRIGGER_EVERY = timedelta(seconds=10)

Outcome = Literal[
    "accepted", "unsigned", "bad-signature", "no-delivery-id", "bad-delivery-id", "replayed"
]


class SeenDeliveries(Protocol):
    """Delivery ids already accepted, with when."""

    def seen_since(self, delivery: str, since: datetime) -> bool: ...

    def remember(self, delivery: str, at: datetime) -> None: ...


@dataclass
class InMemoryDeliveries:
    """A `SeenDeliveries` in a dict, in the order remembered; `remember` drops ids older
    than `window`, and the oldest beyond `max_entries`."""

    window: timedelta = DEFAULT_REPLAY_WINDOW
    max_entries: int = DEFAULT_MAX_DELIVERIES
    seen: dict[str, datetime] = field(default_factory=dict)

    def seen_since(self, delivery: str, since: datetime) -> bool:
        at = self.seen.get(delivery)
        return at is not None and at >= since

    def remember(self, delivery: str, at: datetime) -> None:
        cutoff = at - self.window
        for old in [key for key, when in self.seen.items() if when < cutoff]:
            del self.seen[old]
        self.seen.pop(delivery, None)
        while len(self.seen) >= self.max_entries:
            del self.seen[next(iter(self.seen))]
        self.seen[delivery] = at


@dataclass
class TriggerLimiter:
    """A token bucket for the passes that accepted pushes trigger: `burst` at once, then one
    per `every`. Past it a push is answered 429; the next poll picks it up anyway."""

    burst: int = DEFAULT_TRIGGER_BURST
    every: timedelta = DEFAULT_TRIGGER_EVERY
    tokens: float = field(init=False)
    at: datetime | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def allow(self, now: datetime) -> bool:
        if self.at is not None:
            refill = max((now - self.at) / self.every, 0.0)
            self.tokens = min(float(self.burst), self.tokens + refill)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str
    delivery: str | None = None
    event: str | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome == "accepted"

    @property
    def http_status(self) -> int:
        """401 for signature problems, 400 for a missing or malformed id, 409 for a
        replay, else 202."""
        return {
            "accepted": 202,
            "unsigned": 401,
            "bad-signature": 401,
            "no-delivery-id": 400,
            "bad-delivery-id": 400,
            "replayed": 409,
        }[self.outcome]


def sign(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_matches(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `header` is the HMAC-SHA256 of `body` under `secret`, in constant time."""
    if not secret:
        raise ValueError("the webhook secret is empty; set one in GitHub and here")
    if header is None or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = sign(secret, body).encode("ascii")
    return hmac.compare_digest(expected, header.strip().encode("utf-8", errors="replace"))


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, case-insensitively (HTTP header names are)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def refusal(headers: Mapping[str, str]) -> Verdict | None:
    """What is wrong with a delivery's headers alone (no signature, no id or not a GUID),
    so it is refused before its body is read; None when only the body can tell."""
    event = header(headers, EVENT_HEADER)
    if header(headers, SIGNATURE_HEADER) is None:
        return Verdict("unsigned", f"no `{SIGNATURE_HEADER}` header", event=event)
    delivery = header(headers, DELIVERY_HEADER)
    if not delivery:
        return Verdict("no-delivery-id", f"no `{DELIVERY_HEADER}` header", event=event)
    if not DELIVERY_ID.fullmatch(delivery.strip().lower()):
        return Verdict(
            "bad-delivery-id",
            f"`{DELIVERY_HEADER}` is not a GitHub delivery id (a GUID)",
            event=event,
        )
    return None


def verify_delivery(
    secret: bytes,
    body: bytes,
    headers: Mapping[str, str],
    seen: SeenDeliveries,
    now: datetime,
    window: timedelta = DEFAULT_REPLAY_WINDOW,
) -> Verdict:
    """Check a delivery's headers, signature and id; remember the id only when it is
    accepted."""
    event = header(headers, EVENT_HEADER)
    early = refusal(headers)
    if early is not None and early.outcome == "unsigned":
        return early
    if not signature_matches(secret, body, header(headers, SIGNATURE_HEADER)):
        return Verdict(
            "bad-signature",
            f"`{SIGNATURE_HEADER}` does not match the body under the configured secret",
            event=event,
        )
    if early is not None:
        return early
    delivery = (header(headers, DELIVERY_HEADER) or "").strip().lower()
    if seen.seen_since(delivery, now - window):
        return Verdict(
            "replayed", f"delivery {delivery} was already accepted", delivery, event=event
        )
    seen.remember(delivery, now)
    return Verdict("accepted", f"delivery {delivery} accepted", delivery, event=event)
