"""`shipyard affected --base REV [--head REV]`: the stacks a change affects, in promotion order.

The deploy workflow builds its jobs from `--format json`; `shipyard plan` uses the same rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from shipyard.cli.abort import EXIT_USAGE, abort
from shipyard.gitops.affected import AffectedStack, in_promotion_order
from shipyard.gitops.git_facts import NULL_SHA, GitFacts, GitFactsError
from shipyard.gitops.revisions import affected_at, stacks_at


def open_facts() -> tuple[GitFacts, Path]:
    """Git facts for the project around the working directory, or abort."""
    from shipyard.render import find_project_root  # loads the Pulumi SDK: not for --help

    project_root = find_project_root(Path.cwd())
    if project_root is None:
        abort("no Pulumi.yaml found here or above; run from the Shipyard project", EXIT_USAGE)
    try:
        return GitFacts(project_root), project_root
    except GitFactsError as error:
        abort(str(error), EXIT_USAGE)


@click.command()
@click.option(
    "--base",
    help="Compare against this revision (a branch, tag or SHA; its merge base with --head). "
    f"The null SHA ({NULL_SHA[:7]}...), as GitHub sends for a new branch, means every stack.",
)
@click.option("--head", default="HEAD", show_default=True, help="The revision with the changes.")
@click.option("--all", "every", is_flag=True, help="Every stack at --head; --base is not needed.")
@click.option(
    "--output",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`json` is an object whose `stacks` lists the names in promotion order.",
)
def affected(base: str | None, head: str, every: bool, output_format: str) -> None:
    """List the stacks a change affects, in promotion order (dev, staging, prod, others)."""
    if base is None and not every:
        abort("give --base REV, or --all for every stack", EXIT_USAGE)
    facts, _ = open_facts()
    try:
        head_revision = facts.resolve(head)
        if every or base == NULL_SHA:
            stacks = stacks_at(facts, head_revision)
            why = "--all" if every else "no base revision (new branch)"
            found = [AffectedStack(stacks[name], (why,)) for name in in_promotion_order(stacks)]
            base_sha = None
        else:
            assert base is not None
            merge_base = facts.merge_base(facts.resolve(base), head_revision)
            found = affected_at(facts, merge_base, head_revision)[0]
            base_sha = merge_base.sha
    except GitFactsError as error:
        abort(str(error), EXIT_USAGE)
    if output_format == "json":
        document = {
            "base": base_sha,
            "head": head_revision.sha,
            "stacks": [item.stack.name for item in found],
            "details": [
                {
                    "stack": item.stack.name,
                    "config": item.stack.config_path,
                    "blueprint": item.stack.blueprint,
                    "reasons": list(item.reasons),
                }
                for item in found
            ],
        }
        click.echo(json.dumps(document, indent=2))
        return
    if not found:
        click.echo("no stack is affected")
    for item in found:
        click.echo(item.stack.name)
        for reason in item.reasons:
            click.echo(f"  {reason}")
