"""Webhook deliveries: valid, invalid and replayed signatures, as GitHub sends them."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from shipyard.gitops.webhook import (
    InMemoryDeliveries,
    sign,
    signature_matches,
    verify_delivery,
)

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# GitHub's documented example: this secret and payload give this signature.
GITHUB_EXAMPLE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def headers(signature: str | None, delivery: str | None = "d-1") -> dict[str, str]:
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
        "d-1",
        "push",
    )
    assert seen.seen == {"d-1": NOW}


def test_header_names_are_case_insensitive() -> None:
    lower = {"x-hub-signature-256": GITHUB_EXAMPLE, "x-github-delivery": "d-9"}
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
        "delivery d-1 was already accepted",
    )
    other = verify_delivery(
        SECRET, BODY, headers(GITHUB_EXAMPLE, "d-2"), seen, NOW + timedelta(minutes=59)
    )
    assert other.accepted


def test_ids_older_than_the_window_are_forgotten() -> None:
    window = timedelta(hours=1)
    seen = InMemoryDeliveries(window=window)
    verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, "old"), seen, NOW, window)
    later = NOW + timedelta(hours=2)
    verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, "new"), seen, later, window)
    assert seen.seen == {"new": later}
    again = verify_delivery(SECRET, BODY, headers(GITHUB_EXAMPLE, "old"), seen, later, window)
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
