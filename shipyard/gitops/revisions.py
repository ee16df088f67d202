"""Stacks and affected stacks at git revisions: `affected` fed with `git_facts`.

Kept apart from `plan` so `shipyard affected` and the reconciler never import Pulumi."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shipyard.blueprint import BlueprintError, Platform, load_blueprint
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


@dataclass(frozen=True)
class LoadedBlueprint:
    platform: Platform | None
    blueprint_file: Path | None
    problems: tuple[str, ...] = ()


def load_blueprint_at(
    facts: GitFacts, scratch: Path, revision: Revision, stack: Stack | None
) -> LoadedBlueprint:
    """The stack's blueprint at `revision`, written under `scratch` and loaded."""
    if stack is None:
        return LoadedBlueprint(None, None)
    if stack.blueprint is None:
        return LoadedBlueprint(
            None, None, (f"{stack.config_path}: `shipyard:blueprint` is not set",)
        )
    data = facts.read(revision, stack.blueprint)
    if data is None:
        return LoadedBlueprint(
            None,
            None,
            (
                f"{stack.config_path}: `shipyard:blueprint` names {stack.blueprint}, "
                f"which does not exist at {revision.name} ({revision.short})",
            ),
        )
    path = scratch / revision.sha / stack.blueprint
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        return LoadedBlueprint(load_blueprint(path, name=stack.blueprint), path)
    except BlueprintError as error:
        return LoadedBlueprint(None, path, tuple(p.render(error.file) for p in error.problems))
