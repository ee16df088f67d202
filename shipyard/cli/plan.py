"""`shipyard plan --base REV`: what a change does to every stack it affects, offline."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from shipyard.cli.abort import EXIT_INVALID, EXIT_USAGE, abort, stderr
from shipyard.cli.affected import open_facts
from shipyard.gitops.git_facts import GitFactsError
from shipyard.policy import PolicyConfigError, PolicySettings, load_policy_config

FORMATS = ("json", "markdown", "text")
# `render_cache.CACHE_ENV` and `plan_renders.JOBS_ENV`, spelled out: importing those
# modules loads the Pulumi SDK, and `shipyard plan --help` stays fast without it.
CACHE_ENV = "SHIPYARD_RENDER_CACHE"
JOBS_ENV = "SHIPYARD_PLAN_JOBS"


@click.command()
@click.option(
    "--base",
    required=True,
    help="Compare against this revision (a branch, tag or SHA); the plan starts from its "
    "merge base with --head, so later commits on the base branch are not shown as changes.",
)
@click.option("--head", default="HEAD", show_default=True, help="The revision with the changes.")
@click.option(
    "--output",
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="`markdown` is one PR comment, marked `<!-- shipyard-plan -->`.",
)
@click.option(
    "--policy-config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Enforcement levels and rule settings (JSON, as `pulumi --policy-pack-config` takes).",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar=CACHE_ENV,
    help="Keep renders here by content hash (blueprint, program, dependencies), so a re-run "
    f"renders only what changed; safe to share. Default: no cache. Env: {CACHE_ENV}.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    envvar=JOBS_ENV,
    help=f"Render in at most this many processes. Default: one per core. Env: {JOBS_ENV}.",
)
def plan(
    base: str,
    head: str,
    output_format: str,
    policy_config: Path | None,
    cache_dir: Path | None,
    jobs: int | None,
) -> None:
    """Plan every stack the changes from --base to --head affect: blueprint changes in plain
    words, the resource diff, validation and policies. Offline: renders under Pulumi mocks.

    Exit 0 when every affected stack is valid, 1 when a head blueprint is invalid or
    violates a mandatory policy (the report is printed either way), 2 on a usage error."""
    # These load the Pulumi SDK: imported here so `shipyard plan --help` stays fast.
    from shipyard.gitops.plan import build_plan
    from shipyard.gitops.plan_report import render_json, render_markdown, render_text
    from shipyard.gitops.render_cache import RenderCache

    renderers = {"text": render_text, "markdown": render_markdown, "json": render_json}

    facts, project_root = open_facts()
    settings = PolicySettings()
    if policy_config is not None:
        try:
            settings = load_policy_config(policy_config)
        except PolicyConfigError as error:
            abort(str(error), EXIT_USAGE)
    with stderr.status(f"Planning {base}..{head}...") as status:
        try:
            result = build_plan(
                facts,
                project_root,
                base,
                head,
                settings,
                on_stack=lambda name: status.update(f"Planning stack {name}: both revisions..."),
                cache=RenderCache(cache_dir) if cache_dir is not None else None,
                jobs=jobs,
            )
        except GitFactsError as error:
            abort(str(error), EXIT_USAGE)
    click.echo(renderers[output_format](result), nl=False)
    if result.failed:
        failed = ", ".join(stack.stack for stack in result.stacks if stack.failed)
        stderr.print(escape(f"plan failed for: {failed}"))
        raise click.exceptions.Exit(EXIT_INVALID)
