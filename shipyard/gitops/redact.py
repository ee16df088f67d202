"""Credentials out of URLs, wherever the reconciler prints or serves one.

`spec.gitops.repo` and `shipyard reconcile --repo` refuse URLs with credentials
(`url_credentials_problem`); `redact` is the second line: every log line and every `/status`
and `/readyz` answer goes through it, so a token that reaches a message anyway (in git's
error output, say) is shown as `***`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@'\"]+@")
MASK = "***"


def redact(text: str) -> str:
    """`text` with the user and password of every `scheme://user:password@host` URL masked."""
    return _USERINFO.sub(lambda match: f"{match.group('scheme')}{MASK}@", text)


def url_credentials_problem(url: str) -> str | None:
    """Why `url` must not be used as a git remote, or None: it holds a password or token.

    http(s) URLs may hold no user information at all (a token is often given as the user);
    ssh URLs may name the user, as `ssh://git@host/path` and `git@host:path` do, but no
    password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        return f"`{redact(url)}` holds credentials"
    if parts.scheme == "ssh" and ":" in parts.netloc.rpartition("@")[0]:
        return f"`{redact(url)}` holds a password"
    return None
