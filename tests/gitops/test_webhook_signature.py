"""`signature_matches` against forgeries a weaker comparison would accept (issue 16: a
prefix match `expected.startswith(header)` passed every earlier test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shipyard.gitops.webhook import InMemoryDeliveries, sign, signature_matches, verify_delivery

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
VALID = sign(SECRET, BODY)
DIGEST = VALID.removeprefix("sha256=")
DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_the_valid_signature_matches() -> None:
    assert signature_matches(SECRET, BODY, VALID)


# An HTTP server strips a header value's surrounding optional whitespace (RFC 9110 5.5);
# so does the check, and only that.
@pytest.mark.parametrize("header", [VALID + " ", VALID + "\t", VALID + "\r\n"])
def test_trailing_optional_whitespace_is_what_http_strips(header: str) -> None:
    assert signature_matches(SECRET, BODY, header)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("sha256=", id="empty-digest"),
        pytest.param("", id="empty-header"),
        pytest.param(VALID[:-1], id="truncated-by-one"),
        pytest.param(VALID[: len("sha256=") + 32], id="truncated-to-half"),
        pytest.param(VALID[: len("sha256=") + 1], id="one-hex-digit"),
        pytest.param(VALID + "0", id="extended"),
        pytest.param(VALID + VALID, id="doubled"),
        pytest.param("sha1=" + DIGEST, id="sha1-prefix"),
        pytest.param("sha512=" + DIGEST, id="sha512-prefix"),
        pytest.param("SHA256=" + DIGEST, id="upper-case-prefix"),
        pytest.param("sha256=" + DIGEST.upper(), id="upper-case-digest"),
        pytest.param(" " + VALID, id="leading-space"),
        pytest.param("sha256= " + DIGEST, id="space-after-prefix"),
        pytest.param("sha256=" + DIGEST[:32] + " " + DIGEST[32:], id="space-inside"),
        pytest.param(DIGEST, id="no-prefix"),
        pytest.param("sha256=" + DIGEST[:-1] + "é", id="non-ascii"),
        pytest.param(sign(SECRET, BODY + b"\n"), id="other-body"),
    ],
)
def test_forgeries_are_refused(header: str) -> None:
    assert not signature_matches(SECRET, BODY, header)


def test_a_missing_header_is_refused() -> None:
    assert not signature_matches(SECRET, BODY, None)


def test_another_secret_is_refused() -> None:
    assert not signature_matches(b"another", BODY, VALID)


def test_a_replay_at_the_windows_very_edge_is_still_refused() -> None:
    """`seen_since` includes its bound: a mutant comparing with `>` survived before."""
    window = timedelta(hours=1)
    seen = InMemoryDeliveries(window=window)
    headers = {"X-Hub-Signature-256": VALID, "X-GitHub-Delivery": DELIVERY}
    assert verify_delivery(SECRET, BODY, headers, seen, NOW, window).accepted
    edge = verify_delivery(SECRET, BODY, headers, seen, NOW + window, window)
    assert (edge.outcome, edge.http_status) == ("replayed", 409)
    later = verify_delivery(
        SECRET, BODY, headers, seen, NOW + window + timedelta(seconds=1), window
    )
    assert later.accepted
