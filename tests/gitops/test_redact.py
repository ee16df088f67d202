"""Credentials masked in URLs, and refused where a remote is configured."""

from __future__ import annotations

import io
import json
import logging

import pytest

from shipyard.gitops.json_logging import json_handler
from shipyard.gitops.redact import redact


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://x-access-token:ghp_abc@github.com/a/b.git", "https://***@github.com/a/b.git"),
        (
            "fatal: unable to access 'https://ghp_abc@github.com/a/b.git/': 403",
            "fatal: unable to access 'https://***@github.com/a/b.git/': 403",
        ),
        (
            "ssh://git:pw@host/repo and s3://key:secret@bucket",
            "ssh://***@host/repo and s3://***@bucket",
        ),
        ("https://github.com/a/b.git", "https://github.com/a/b.git"),
        ("git@github.com:acme/platform.git", "git@github.com:acme/platform.git"),
        ("https://github.com/a/b@v1", "https://github.com/a/b@v1"),
    ],
)
def test_userinfo_is_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


def test_log_lines_never_show_a_token() -> None:
    out = io.StringIO()
    logger = logging.getLogger("test.redact")
    logger.propagate = False
    logger.addHandler(json_handler(out))
    try:
        logger.error(
            "fetching main from https://bot:ghp_abc@example.com/x.git failed",
            extra={"fields": {"repo": "https://bot:ghp_abc@example.com/x.git"}},
        )
    finally:
        logger.handlers.clear()
    line = json.loads(out.getvalue())
    assert "ghp_abc" not in out.getvalue()
    assert line["repo"] == "https://***@example.com/x.git"
