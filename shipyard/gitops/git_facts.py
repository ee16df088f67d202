"""What git knows, read with gitpython: changed paths between revisions, files at a revision.

Paths going in and out are relative to the *project root* (the directory holding
`Pulumi.yaml`), which may be a subdirectory of the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import git

NULL_SHA = "0" * 40
"""What GitHub sends as `before` for a branch's first push: no base, so every stack."""


class GitFactsError(Exception):
    """A revision that does not exist, or a directory that is not in a git repository."""


@dataclass(frozen=True)
class Revision:
    name: str
    """What the user typed: `origin/main`, `HEAD`, a SHA."""
    sha: str

    @property
    def short(self) -> str:
        return self.sha[:7]


class GitFacts:
    """Git facts about the repository holding `project_root`."""

    def __init__(self, project_root: Path) -> None:
        try:
            self.repo = git.Repo(project_root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitFactsError(f"{project_root} is not inside a git repository") from None
        top = Path(self.repo.working_tree_dir or project_root).resolve()
        relative = project_root.resolve().relative_to(top).as_posix()
        self.prefix = "" if relative == "." else f"{relative}/"

    def resolve(self, name: str) -> Revision:
        try:
            commit = self.repo.commit(name)
        except (git.BadName, ValueError, git.GitCommandError):
            raise GitFactsError(
                f"unknown revision `{name}`; fetch it first (CI checkouts need `fetch-depth: 0`)"
            ) from None
        return Revision(name, commit.hexsha)

    def merge_base(self, base: Revision, head: Revision) -> Revision:
        """Where `head` branched from `base`: a plan compares against it, so commits that
        landed on `base` after the branch do not show up as changes of `head`."""
        bases = self.repo.merge_base(base.sha, head.sha)
        if not bases:
            raise GitFactsError(f"`{base.name}` and `{head.name}` share no history")
        return Revision(base.name, bases[0].hexsha)

    def changed_paths(self, base: Revision, head: Revision) -> list[str]:
        """Every path added, modified or deleted from `base` to `head` (renames as both)."""
        output = self.repo.git.diff("--name-only", "--no-renames", base.sha, head.sha, "--")
        return self._inside_project(output.splitlines())

    def all_paths(self, revision: Revision) -> list[str]:
        output = self.repo.git.ls_tree("-r", "--name-only", revision.sha)
        return self._inside_project(output.splitlines())

    def read(self, revision: Revision, path: str) -> bytes | None:
        """The file's bytes at `revision`, or None if it does not exist there."""
        try:
            blob = self.repo.commit(revision.sha).tree / f"{self.prefix}{path}"
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        data: bytes = blob.data_stream.read()
        return data

    def list_directory(self, revision: Revision, directory: str) -> list[str]:
        """Paths of the files directly in `directory` at `revision`."""
        try:
            tree = self.repo.commit(revision.sha).tree / f"{self.prefix}{directory}"
        except KeyError:
            return []
        return [
            str(PurePosixPath(directory) / blob.name) for blob in tree.blobs if blob.type == "blob"
        ]

    def _inside_project(self, paths: list[str]) -> list[str]:
        return [p.removeprefix(self.prefix) for p in paths if p.startswith(self.prefix)]
