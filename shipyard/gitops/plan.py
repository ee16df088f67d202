"""`shipyard plan`: for every stack a change affects, what the change does to it.

Both revisions' blueprints are read from git and rendered offline with the same mock
render as `shipyard render`, using *this checkout's* program (`stacks/__main__.py`,
`shipyard/`, `components/`). In CI the checkout is the head revision, so the head side is
exact; the base side shows what the base blueprint gives under the head program. A change
to the program itself is therefore not rendered twice: the plan says so, and
`pulumi preview` (run by the PR workflow when credentials exist) covers it.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from shipyard.blueprint import Platform
from shipyard.gitops.affected import AffectedStack, Stack, in_promotion_order, is_program_path
from shipyard.gitops.blueprint_summary import summarize
from shipyard.gitops.git_facts import GitFacts, Revision
from shipyard.gitops.plan_renders import RenderJob, render_all
from shipyard.gitops.render_cache import RenderCache
from shipyard.gitops.resource_diff import ACTIONS, ResourceChange, diff_resources
from shipyard.gitops.revisions import LoadedBlueprint, affected_at, load_blueprint_at
from shipyard.graph.diff import Changes
from shipyard.graph.plan_diagram import graph_changes
from shipyard.policy import Finding, PolicySettings, evaluate, resources_from_render
from shipyard.policy.offline import blueprint_estimate
from shipyard.policy.rules import rules_with_estimate
from shipyard.render import RenderedResource, render_blueprint
from shipyard.sections.models.cold_start import cold_start_notes

Status = Literal["ok", "invalid", "removed", "error"]
Render = Callable[..., list[RenderedResource]]
"""`render_blueprint`'s signature: (blueprint file, project root, stack, platform)."""
COST_NOT_AVAILABLE = "not available yet"
"""Shown while `shipyard.cost` (the estimate) does not exist."""


@dataclass(frozen=True)
class StackPlan:
    stack: str
    blueprint: str | None
    """The head blueprint's path (the base one's if the stack was removed)."""
    reasons: tuple[str, ...]
    status: Status
    errors: tuple[str, ...] = ()
    """`FILE:LINE:COL: field: message` lines of an invalid head blueprint, or what went wrong."""
    notes: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    changes: tuple[ResourceChange, ...] = ()
    findings: tuple[Finding, ...] = ()
    cost: str = COST_NOT_AVAILABLE
    graph: Changes | None = None
    """The head blueprint's picture with what the change adds, modifies and removes."""

    @property
    def failed(self) -> bool:
        """An invalid head, a render error, or a mandatory policy violation."""
        return self.status in ("invalid", "error") or any(f.mandatory for f in self.findings)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTIONS}

    @property
    def destroys_data(self) -> tuple[ResourceChange, ...]:
        return tuple(change for change in self.changes if change.destroys_data)


@dataclass(frozen=True)
class Plan:
    base: Revision
    merge_base: Revision
    head: Revision
    changed: tuple[str, ...]
    stacks: tuple[StackPlan, ...]
    unaffected: tuple[str, ...]
    program_changes: tuple[str, ...] = field(default=())
    """Changed program paths: their effect is not in the resource diff (see the module doc)."""

    @property
    def failed(self) -> bool:
        return any(stack.failed for stack in self.stacks)


def build_plan(
    facts: GitFacts,
    project_root: Path,
    base_name: str,
    head_name: str = "HEAD",
    settings: PolicySettings | None = None,
    render: Render = render_blueprint,
    on_stack: Callable[[str], None] | None = None,
    cache: RenderCache | None = None,
    jobs: int | None = None,
) -> Plan:
    """Plan every stack the changes from `base_name` (its merge base with the head) to
    `head_name` affect. Raises `GitFactsError` for an unknown revision.

    Every render the plan needs (head and base of each stack) is looked up in `cache`;
    the others run at once in up to `jobs` processes (default: one per core)."""
    head = facts.resolve(head_name)
    base = facts.resolve(base_name)
    merge_base = facts.merge_base(base, head)
    affected, base_stacks, head_stacks, changed = affected_at(facts, merge_base, head)
    plans: list[StackPlan | _Pending] = []
    with tempfile.TemporaryDirectory(prefix="shipyard-plan-") as scratch:
        for item in affected:
            if on_stack is not None:
                on_stack(item.stack.name)
            plans.append(
                _load_stack(
                    facts,
                    Path(scratch),
                    item,
                    (merge_base, base_stacks.get(item.stack.name)),
                    (head, head_stacks.get(item.stack.name)),
                )
            )
        pending = [plan for plan in plans if isinstance(plan, _Pending)]
        wanted = [job for plan in pending for job in plan.jobs]
        results = render_all(wanted, project_root, render, cache, jobs)
        done = iter(results)
        finished = {
            id(plan): _finish(plan, [next(done) for _ in plan.jobs], settings) for plan in pending
        }
    names = {item.stack.name for item in affected}
    return Plan(
        base=base,
        merge_base=merge_base,
        head=head,
        changed=tuple(changed),
        stacks=tuple(finished[id(plan)] if isinstance(plan, _Pending) else plan for plan in plans),
        unaffected=tuple(in_promotion_order(set(head_stacks) - names)),
        program_changes=tuple(path for path in changed if is_program_path(path)),
    )


@dataclass(frozen=True)
class _Pending:
    """A stack whose head loaded: its plan waits for the renders in `jobs` (head first)."""

    start: StackPlan
    old: LoadedBlueprint
    new: LoadedBlueprint
    jobs: tuple[RenderJob, ...]


def _load_stack(
    facts: GitFacts,
    scratch: Path,
    item: AffectedStack,
    base: tuple[Revision, Stack | None],
    head: tuple[Revision, Stack | None],
) -> StackPlan | _Pending:
    name = item.stack.name
    base_stack, head_stack = base[1], head[1]
    old = load_blueprint_at(facts, scratch, base[0], base_stack)
    notes: list[str] = []
    if base_stack is not None and old.platform is None:
        notes.append(
            f"the base blueprint does not load with this checkout's code, so every resource "
            f"shows as created: {'; '.join(old.problems)}"
        )
    if head_stack is None:
        return StackPlan(
            name,
            base_stack.blueprint if base_stack else None,
            item.reasons,
            "removed",
            notes=(
                f"stacks/Pulumi.{name}.yaml is deleted; Shipyard does not destroy the stack's "
                f"resources: run `pulumi destroy --stack {name}` and `pulumi stack rm {name}`",
            ),
            summary=tuple(summarize(old.platform, None)),
        )
    new = load_blueprint_at(facts, scratch, head[0], head_stack)
    if new.platform is None or new.blueprint_file is None:
        return StackPlan(
            name, head_stack.blueprint, item.reasons, "invalid", errors=new.problems, notes=()
        )
    jobs = [RenderJob.of(new, head_stack.blueprint or "", name)]
    if old.platform is not None and old.blueprint_file is not None and base_stack is not None:
        jobs.append(RenderJob.of(old, base_stack.blueprint or "", name))
    start = StackPlan(name, head_stack.blueprint, item.reasons, "ok", notes=tuple(notes))
    return _Pending(start, old, new, tuple(jobs))


def _finish(
    pending: _Pending,
    renders: list[list[RenderedResource] | str],
    settings: PolicySettings | None,
) -> StackPlan:
    start, old, new = pending.start, pending.old, pending.new
    failures = [result for result in renders if isinstance(result, str)]
    if failures:
        return replace(start, status="error", errors=(failures[0],))
    head_resources = renders[0]
    base_resources = renders[1] if len(renders) > 1 else []
    assert not isinstance(head_resources, str) and not isinstance(base_resources, str)
    assert new.platform is not None
    # The budget rule checks the head blueprint's estimate, as `shipyard validate --policies`.
    rules = rules_with_estimate(blueprint_estimate(new.platform))
    findings = evaluate(resources_from_render(head_resources), settings, rules, stack=start.stack)
    return replace(
        start,
        notes=(*start.notes, *cold_start_notes(old.platform, new.platform)),
        summary=tuple(summarize(old.platform, new.platform)),
        changes=tuple(diff_resources(base_resources, head_resources)),
        findings=tuple(findings),
        cost=cost_delta(old.platform, new.platform),
        graph=graph_changes(old.platform, new.platform),
    )


def cost_delta(base: Platform | None, head: Platform | None) -> str:
    """The monthly cost change from `shipyard.cost` (on-demand list prices), or a clear
    "not available yet" while that module is absent."""
    try:
        estimate: Any = importlib.import_module("shipyard.cost").estimate_platform
    except (ImportError, AttributeError):
        return COST_NOT_AVAILABLE
    if head is None:
        return COST_NOT_AVAILABLE
    try:
        after = estimate(head)
        before = estimate(base).total if base is not None else None
    except Exception as error:  # an estimate must never break a plan
        return f"not available: the estimate failed ({type(error).__name__}: {error})"
    old_desired = before.desired if before is not None else 0.0
    old_max = before.max if before is not None else 0.0
    delta = after.total.desired - old_desired
    text = (
        f"{'+' if delta >= 0 else '-'}${abs(delta):,.0f}/month at desired size "
        f"(${old_desired:,.0f} -> ${after.total.desired:,.0f}); "
        f"at max size ${old_max:,.0f} -> ${after.total.max:,.0f}"
    )
    if after.unpriced:
        text += f"; not priced: {', '.join(f'pool `{name}`' for name in after.unpriced)}"
    return text
