"""A `Plan` as text (a terminal), markdown (one sticky PR comment) or JSON (machines)."""

from __future__ import annotations

import json
from typing import Any

from shipyard.gitops.plan import Plan, StackPlan
from shipyard.gitops.resource_diff import ResourceChange
from shipyard.graph.plan_diagram import diagram_markdown

MARKDOWN_MARKER = "<!-- shipyard-plan -->"
"""The first line of the PR comment: the workflow finds and updates the comment by it."""
COMMENT_LIMIT = 65_536
"""GitHub refuses a comment body longer than this many characters."""
DIAGRAMS_LEFT_OUT = (
    "Diagram left out: with the diagrams the comment would pass GitHub's "
    f"{COMMENT_LIMIT:,}-character limit; `shipyard graph` draws the blueprint."
)


def _header(plan: Plan) -> str:
    base = f"{plan.base.name} ({plan.merge_base.short})"
    if plan.merge_base.sha != plan.base.sha:
        base = f"{plan.base.name} (merge base {plan.merge_base.short})"
    return f"{base} -> {plan.head.name} ({plan.head.short})"


def _counts(stack: StackPlan) -> str:
    return ", ".join(f"{count} to {action}" for action, count in stack.counts.items())


def _change_line(change: ResourceChange) -> str:
    line = f"{change.action:<7} {change.type} {change.name}"
    if change.fields:
        shown = [
            f"{f} (forces replacement)" if f in change.replace_fields else f for f in change.fields
        ]
        line += f": {', '.join(shown)}"
    if change.destroys_data:
        line += "  !! STATEFUL: its data is lost"
    return line


def _data_loss(change: ResourceChange) -> str:
    verb = "replaces" if change.action == "replace" else "deletes"
    why = f" (forced by {', '.join(change.replace_fields)})" if change.replace_fields else ""
    return f"{verb} {change.type} {change.name}{why}: its data is lost"


def _policies(stack: StackPlan) -> list[str]:
    if not stack.findings:
        return ["no violations"]
    return [
        f"{f.policy} ({f.level}): {f.resource_type} {f.resource_name}: {f.message}"
        for f in stack.findings
    ]


def render_text(plan: Plan) -> str:
    lines = [f"shipyard plan: {_header(plan)}"]
    lines += _program_note(plan)
    if not plan.stacks:
        lines.append("No stack is affected by these changes.")
        return "\n".join(lines) + "\n"
    names = ", ".join(stack.stack for stack in plan.stacks)
    lines.append(f"Affected stacks: {names}" + _unaffected(plan))
    for stack in plan.stacks:
        lines += [
            "",
            f"== {stack.stack} ({stack.blueprint or 'no blueprint'}): {_verdict(stack)} ==",
        ]
        lines += [f"  why: {reason}" for reason in stack.reasons]
        lines += [f"  note: {note}" for note in stack.notes]
        if stack.errors:
            lines += ["  errors:", *(f"    {error}" for error in stack.errors)]
        if stack.status != "ok":
            lines += [f"  blueprint: {line}" for line in stack.summary]
            continue
        for change in stack.destroys_data:
            lines.append(f"  !! DATA LOSS: {_data_loss(change)}")
        lines.append("  blueprint:")
        lines += [f"    - {line}" for line in stack.summary] or ["    (no change)"]
        lines.append(f"  resources: {_counts(stack)}")
        lines += [f"    {_change_line(change)}" for change in stack.changes]
        lines.append("  policies:")
        lines += [f"    {line}" for line in _policies(stack)]
        lines.append(f"  cost: {stack.cost}")
    return "\n".join(lines) + "\n"


def _verdict(stack: StackPlan) -> str:
    if stack.status == "invalid":
        return "INVALID blueprint"
    if stack.status == "error":
        return "ERROR"
    if stack.status == "removed":
        return "stack removed"
    if any(f.mandatory for f in stack.findings):
        return "mandatory policy violations"
    return "ok"


def _unaffected(plan: Plan) -> str:
    return f" (not affected: {', '.join(plan.unaffected)})" if plan.unaffected else ""


def _program_note(plan: Plan) -> list[str]:
    if not plan.program_changes:
        return []
    shown = ", ".join(plan.program_changes[:5]) + (" ..." if len(plan.program_changes) > 5 else "")
    return [
        f"note: program files changed ({shown}); both revisions were rendered with this "
        "checkout's program, so changes that come from code alone are not in the resource "
        "diff. `pulumi preview` shows them."
    ]


def _code(text: str) -> str:
    quoted = text.replace("`", "'")
    return f"`{quoted}`"


def render_markdown(plan: Plan) -> str:
    """The PR comment, with each stack's marked diagram while the comment stays within
    GitHub's limit (without them, and saying so, past it)."""
    text = _markdown(plan, diagrams=True)
    return text if len(text) <= COMMENT_LIMIT else _markdown(plan, diagrams=False)


def _markdown(plan: Plan, diagrams: bool) -> str:
    out = [MARKDOWN_MARKER, "## Shipyard plan", ""]
    base = f"{_code(plan.base.name)} ({plan.merge_base.short})"
    out.append(f"{base} → {_code(plan.head.name)} ({plan.head.short})")
    out.append("")
    for note in _program_note(plan):
        out += [f"> [!NOTE]\n> {note}", ""]
    if not plan.stacks:
        out.append("No stack is affected by these changes.")
        return "\n".join(out) + "\n"
    rows = [
        "| stack | result | create | update | replace | delete |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for stack in plan.stacks:
        counts = stack.counts
        rows.append(
            f"| {_code(stack.stack)} | {_verdict(stack)} | "
            + " | ".join(str(counts[a]) for a in ("create", "update", "replace", "delete"))
            + " |"
        )
    out += rows
    if plan.unaffected:
        out += ["", f"Not affected: {', '.join(_code(name) for name in plan.unaffected)}"]
    losses = [(stack.stack, change) for stack in plan.stacks for change in stack.destroys_data]
    if losses:
        out += ["", "> [!CAUTION]", "> **Stateful resources are replaced or deleted:**"]
        out += [f"> - {_code(name)}: {_data_loss(change)}" for name, change in losses]
    for stack in plan.stacks:
        out += ["", f"### {_code(stack.stack)}: {_verdict(stack)}", ""]
        if stack.blueprint:
            out.append(f"Blueprint: {_code(stack.blueprint)}")
        out += [f"> {note}" for note in stack.notes]
        if stack.errors:
            out += ["", "```text", *stack.errors, "```"]
        if stack.status == "ok":
            out += ["", "**Blueprint changes**", ""]
            out += [f"- {line}" for line in stack.summary] or ["- no change"]
            out += ["", f"**Resources**: {_counts(stack)}", ""]
            if stack.changes:
                out += ["| action | resource | changed fields |", "| --- | --- | --- |"]
                for change in stack.changes:
                    fields = ", ".join(
                        _code(f) + (" (forces replacement)" if f in change.replace_fields else "")
                        for f in change.fields
                    )
                    action = (
                        f"**{change.action}**"
                        if change.action in ("replace", "delete")
                        else change.action
                    )
                    if change.destroys_data:
                        action += " (stateful)"
                    out.append(
                        f"| {action} | {_code(change.type)} {_code(change.name)} | {fields} |"
                    )
            out += ["", "**Policies**", ""]
            out += [f"- {line}" for line in _policies(stack)]
            out += ["", f"**Cost**: {stack.cost}"]
            if stack.graph is not None:
                out += ["", *diagram_markdown(stack.graph)] if diagrams else ["", DIAGRAMS_LEFT_OUT]
        out += ["", "<details><summary>Why this stack is affected</summary>", ""]
        out += [f"- {_code(reason)}" for reason in stack.reasons]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "base": {"name": plan.base.name, "sha": plan.base.sha},
        "mergeBase": plan.merge_base.sha,
        "head": {"name": plan.head.name, "sha": plan.head.sha},
        "changedPaths": list(plan.changed),
        "programChanges": list(plan.program_changes),
        "failed": plan.failed,
        "unaffected": list(plan.unaffected),
        "stacks": [_stack_json(stack) for stack in plan.stacks],
    }


def _stack_json(stack: StackPlan) -> dict[str, Any]:
    return {
        "stack": stack.stack,
        "blueprint": stack.blueprint,
        "status": stack.status,
        "failed": stack.failed,
        "reasons": list(stack.reasons),
        "errors": list(stack.errors),
        "notes": list(stack.notes),
        "summary": list(stack.summary),
        "counts": stack.counts,
        "changes": [
            {
                "action": c.action,
                "type": c.type,
                "name": c.name,
                "urn": c.urn,
                "fields": list(c.fields),
                "replaceFields": list(c.replace_fields),
                "stateful": c.stateful,
                "destroysData": c.destroys_data,
            }
            for c in stack.changes
        ],
        "policies": [
            {
                "policy": f.policy,
                "level": f.level,
                "resourceType": f.resource_type,
                "resourceName": f.resource_name,
                "message": f.message,
            }
            for f in stack.findings
        ],
        "cost": stack.cost,
        "graphChanges": stack.graph.to_json() if stack.graph is not None else None,
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_to_json(plan), indent=2) + "\n"
