"""Credentials out of URLs, wherever the reconciler prints or serves one.

`spec.gitops.repo` and `shipyard reconcile --repo` refuse URLs with credentials
(`components.gitops_reconciler_args.credentials_problem`); `redact` is the second line:
every log line and every `/status` and `/readyz` answer goes through it, so a token that
reaches a message anyway (in git's error output, say) is shown as `***`.
"""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@'\"]+@")
MASK = "***"


def redact(text: str) -> str:
    """`text` with the user and password of every `scheme://user:password@host` URL masked."""
    return _USERINFO.sub(lambda match: f"{match.group('scheme')}{MASK}@", text)
