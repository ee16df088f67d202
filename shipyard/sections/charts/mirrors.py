"""Chart repository mirrors (`spec.chartMirrors`): an upstream repository's URL -> the
mirror to fetch from instead, for every chart Shipyard creates, its operators' included
(pure)."""

from __future__ import annotations

from collections.abc import Mapping


def mirrored(mirrors: Mapping[str, str], repository: str) -> str:
    """`repository`, or its mirror; a trailing `/` does not matter."""
    wanted = repository.rstrip("/")
    for upstream, mirror in mirrors.items():
        if upstream.rstrip("/") == wanted:
            return mirror
    return repository
