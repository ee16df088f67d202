"""Webhook deliveries: valid, invalid and replayed signatures, as GitHub sends them."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from shipyard.gitops.webhook import (
    InMemoryDeliveries,
    TriggerLimiter,
    refusal,
    sign,
    signature_matches,
    verify_delivery,
)

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# GitHub's documented example: this secret and payload give this signature.
GITHUB_EXAMPLE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
# GitHub's documented delivery id format (a GUID), and more of them.
D1, D2, D3 = (
    "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "72d3162e-cc78-11e3-81ab-4c9367dc0959",
    "72d3162e-cc78-11e3-81ab-4c9367dc095a",
)


def headers(signature: str | None, delivery: str | None = D1) -> dict[str, str]:
    result = {"X-GitHub-Event": "push"}
    if signature is not None:
        result["X-Hub-Signature-256"] = signature
    if delivery is not None:
        result["X-GitHub-Delivery"] = delivery
    return result


def test_sign_matches_githubs_documented_example() -> None:
    assert sign(SECRET, BODY) == GITHUB_EXAMPLE
    expected = hmac.new(SECRET, BODY, hashlib.sha256).hexdigest()
    assert f"sha256={expected}" == GITHUB_EXAMPLE


def test_a_valid_delivery_is_accepted_and_remembered() -> None:
    seen = InMemoryDeliveries()
    verdict = verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE), seen, NOW)
    assert (verdict.outcome, verdict.http_status, verdict.delivery, verdict.event) == (
        "accepted",
        202,
        D1,
        "push",
    )
    assert seen.seen == {D1: NOW}


def test_header_names_are_case_insensitive() -> None:
    lower = {"x-hub-signature-256": GITHUB_EXAMPLE, "x-github-delivery": D1.upper()}
    assert verify_delivery(SECRET, BODY, lower, InMemoryDeliveries(), NOW).accepted


@pytest.mark.parametrize(
    ("signature", "body", "outcome", "message"),
    [
        (None, BODY, "unsigned", "no `X-Hub-Signature-256` header"),
        ("sha256=" + "0" * 64, BODY, "bad-signature", "does not match the body"),
        (GITHUB_EXAMPLE, BODY + b" ", "bad-signature", "does not match the body"),
        (GITHUB_EXAMPLE[len("sha256=") :], BODY, "bad-signature", "does not match"),
        ("sha1=" + "0" * 40, BODY, "bad-signature", "does not match"),
        (sign(b"another secret", BODY), BODY, "bad-signature", "does not match"),
        ("sha256=zz", BODY, "bad-signature", "does not match"),
        ("sha256=é", BODY, "bad-signature", "does not match"),
    ],
)
def test_invalid_signatures_are_rejected_and_not_remembered(
    signature: str | None, body: bytes, outcome: str, message: str
) -> None:
    seen = InMemoryDeliveries()
    verdict = verify_delivery(SECRET, body, headers(signature), seen, NOW)
    assert (verdict.outcome, verdict.http_status) == (outcome, 401)
    assert message in verdict.message
    assert seen.seen == {}


def test_a_replayed_delivery_is_rejected_within_the_window() -> None:
    seen = InMemoryDeliveries(window=timedelta(hours=1))
    first = verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE), seen, NOW, timedelta(hours=1))
    again = verify_delivery(
        SECRET, BODY, headers(GITHUB_EXAMPLE), seen, NOW + timedelta(minutes=59), timedelta(hours=1)
    )
    assert first.accepted
    assert (again.outcome, again.http_status, again.message) == (
        "replayed",
        409,
        f"delivery {D1} was already accepted",
    )
    other = verify_delivery(
        SECRET, BODY, headers(GITHUB_EXAMPLE, D2), seen, NOW + timedelta(minutes=59)
    )
    assert other.accepted


def test_ids_older_than_the_window_are_forgotten() -> None:
    window = timedelta(hours=1)
    seen = InMemoryDeliveries(window=window)
    verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, D1), seen, NOW, window)
    later = NOW + timedelta(hours=2)
    verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, D2), seen, later, window)
    assert seen.seen == {D2: later}
    again = verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, D1), seen, later, window)
    assert again.accepted


def test_a_signed_delivery_without_an_id_is_rejected() -> None:
    verdict = verify_delivery(
        SECRET, BODY, headers(GITHUB_EXAMPLE, None), InMemoryDeliveries(), NOW
    )
    assert (verdict.outcome, verdict.http_status, verdict.message) == (
        "no-delivery-id",
        400,
        "no `X-GitHub-Delivery` header",
    )


def test_an_empty_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="the webhook secret is empty"):
        signature_matches(b"", BODY, GITHUB_EXAMPLE)


@pytest.mark.parametrize(
    "delivery",
    ["d-1", "x" * 36, "72d3162e-cc78-11e3-81ab-4c9367dc09580", "72d3162ecc7811e381ab4c9367dc0958"],
)
def test_ids_not_in_githubs_format_are_refused_before_the_body(delivery: str) -> None:
    found = refusal(headers(GITHUB_EXAMPLE, delivery))
    assert found is not None
    assert (found.outcome, found.http_status, found.message) == (
        "bad-delivery-id",
        400,
        "`X-GitHub-Delivery` is not a GitHub delivery id (a GUID)",
    )
    seen = InMemoryDeliveries()
    verdict = verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, delivery), seen, NOW)
    assert verdict.outcome == "bad-delivery-id" and seen.seen == {}
    assert refusal(headers(None, delivery)) == refusal(headers(None))  # unsigned comes first
    assert refusal(headers(GITHUB_EXAMPLE, D1)) is None


def test_the_remembered_ids_are_capped_oldest_first() -> None:
    seen = InMemoryDeliveries(max_entries=2)
    for minute, delivery in enumerate((D1, D2, D3)):
        seen.remember(delivery, NOW + timedelta(minutes=minute))
    assert list(seen.seen) == [D2, D3]
    seen.remember(D2, NOW + timedelta(minutes=5))  # remembered again: now the newest
    assert list(seen.seen) == [D3, D2]


def test_triggers_are_rate_limited_with_a_burst() -> None:
    limiter = TriggerLimiter(burst=3, every=timedelta(seconds=10))
    assert [limiter.allow(NOW) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(NOW + timedelta(seconds=5)) is False
    assert limiter.allow(NOW + timedelta(seconds=10)) is True  # one token back per 10 s
    assert limiter.allow(NOW + timedelta(seconds=11)) is False
    assert [limiter.allow(NOW + timedelta(hours=1)) for _ in range(4)] == [True, True, True, False]
