"""Fetching the watched branch into the reconciler's bare mirror, with git itself.

Credentials never sit in the remote's URL: with a credentials file, git's `store` helper
reads it (`fetch_environment`), for the fetch alone; the apply children never see it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

FETCH_TIMEOUT = 120.0
"""Seconds before a hanging `git fetch` is given up (the next pass tries again)."""


def fetch_environment(environ: Mapping[str, str], credentials: Path | None) -> dict[str, str]:
    """git's environment for a fetch: never a prompt; with `credentials`, git's `store`
    helper on that file and no other helper (`GIT_CONFIG_*` entries, which outrank the
    config files). Only this process's git sees the file; apply children do not."""
    env = dict(environ, GIT_TERMINAL_PROMPT="0")
    if credentials is not None:
        env.update(
            GIT_CONFIG_COUNT="2",
            GIT_CONFIG_KEY_0="credential.helper",
            GIT_CONFIG_VALUE_0="",  # an empty helper resets the list
            GIT_CONFIG_KEY_1="credential.helper",
            GIT_CONFIG_VALUE_1=f"store --file={credentials}",
        )
    return env


def fetch_branch(
    mirror: Path, url: str, branch: str, ref: str, env: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """Fetch `branch` of `url` into `ref` of the bare `mirror` (made if missing); the commit
    `ref` named before and after. Raises `CalledProcessError` or `TimeoutExpired`."""
    if not (mirror / "HEAD").exists():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        _git(["init", "--quiet", "--bare", str(mirror)], env)
    before = _rev(mirror, ref, env)
    _git(
        [
            *("-C", str(mirror), "fetch", "--quiet", "--prune", "--no-tags"),
            url,
            f"+refs/heads/{branch}:{ref}",
        ],
        env,
    )
    return before, _rev(mirror, ref, env)


def descends(mirror: Path, before: str, after: str, env: Mapping[str, str]) -> bool:
    """Whether `after` has `before` in its history (false after a force push)."""
    done = subprocess.run(
        ["git", "-C", str(mirror), "merge-base", "--is-ancestor", before, after],
        capture_output=True,
        env=dict(env),
        timeout=FETCH_TIMEOUT,
    )
    return done.returncode == 0


def _git(args: list[str], env: Mapping[str, str], check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args],
        check=check,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=FETCH_TIMEOUT,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _rev(mirror: Path, ref: str, env: Mapping[str, str]) -> str | None:
    """The commit `ref` names in the mirror; None before the first fetch."""
    return _git(["-C", str(mirror), "rev-parse", "--verify", "--quiet", ref], env, False) or None
