"""Stacks and affected stacks at git revisions: `affected` fed with `git_facts`.

Kept apart from `plan` so `shipyard affected` never imports Pulumi."""

from __future__ import annotations

from shipyard.gitops.affected import (
    STACKS_DIR,
    AffectedStack,
    Stack,
    affected_between,
    discover_stacks,
)
from shipyard.gitops.git_facts import GitFacts, Revision


def stacks_at(facts: GitFacts, revision: Revision) -> dict[str, Stack]:
    """Every `stacks/Pulumi.<stack>.yaml` at `revision`, with the blueprint it names."""
    configs = {}
    for path in facts.list_directory(revision, STACKS_DIR):
        data = facts.read(revision, path)
        if data is not None:
            configs[path] = data.decode("utf-8", errors="replace")
    return discover_stacks(configs)


def affected_at(
    facts: GitFacts, base: Revision, head: Revision
) -> tuple[list[AffectedStack], dict[str, Stack], dict[str, Stack], list[str]]:
    """The affected stacks, both revisions' stacks, and the changed paths."""
    changed = facts.changed_paths(base, head)
    base_stacks = stacks_at(facts, base)
    head_stacks = stacks_at(facts, head)
    return affected_between(changed, base_stacks, head_stacks), base_stacks, head_stacks, changed
