"""Fetching the branch with git itself: into a real bare mirror, and with the credentials
file seen by git's `store` helper only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import git

from shipyard.gitops.git_fetch import descends, fetch_branch, fetch_environment


def test_a_fetch_reports_the_head_before_and_after(tmp_path: Path) -> None:
    bare = tmp_path / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    clone = git.Repo.clone_from(str(bare), tmp_path / "clone")
    actor = git.Actor("Test", "test@example.com")
    shas = []
    for text in ("one\n", "two\n"):
        (tmp_path / "clone" / "README.md").write_text(text)
        clone.index.add(["README.md"])
        shas.append(str(clone.index.commit(text, author=actor, committer=actor).hexsha))
        clone.remote("origin").push("main").raise_if_error()
    mirror, ref = tmp_path / "work" / "mirror.git", "refs/remotes/origin/main"
    env = fetch_environment(os.environ, None)
    assert fetch_branch(mirror, str(bare), "main", ref, env) == (None, shas[1])
    assert fetch_branch(mirror, str(bare), "main", ref, env) == (shas[1], shas[1])
    assert descends(mirror, shas[0], shas[1], env)
    assert not descends(mirror, shas[1], shas[0], env)


def test_the_credentials_file_is_the_only_helper_git_uses(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[credential]\n\thelper = cache\n")
    environ = {"PATH": os.environ["PATH"], "HOME": str(home)}
    creds = tmp_path / "git-credentials"

    def helpers(env: dict[str, str]) -> list[str]:
        done = subprocess.run(
            ["git", "config", "--get-all", "credential.helper"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.splitlines()

    assert helpers(fetch_environment(environ, None)) == ["cache"]
    # An empty value resets the list: only the store helper on the file is left.
    assert helpers(fetch_environment(environ, creds)) == ["cache", "", f"store --file={creds}"]
    assert fetch_environment(environ, creds)["GIT_TERMINAL_PROMPT"] == "0"
