"""`shipyard cost BLUEPRINT`: the monthly estimate per pool and in total, at min/desired/max."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shipyard.blueprint import BlueprintError, Platform, load_blueprint
from shipyard.cli.abort import EXIT_USAGE, abort
from shipyard.cost import Estimate, Sizes, estimate_platform
from shipyard.sections.budget.checks import check_budget

# Piped output keeps whole table rows rather than wrapping at 80 columns.
stdout = Console(
    highlight=False, emoji=False, soft_wrap=True, width=None if sys.stdout.isatty() else 132
)


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _load(path: Path, shown: str | None = None) -> Platform:
    try:
        # Over budget is what this command explains, so it is reported, not refused.
        return load_blueprint(path, name=shown, enforce_budget=False)
    except BlueprintError as error:
        abort(f"{shown or path} is invalid:\n{error}")


def _at_revision(path: Path, revision: str) -> Platform | None:
    """The blueprint as committed at `revision`, read with gitpython; None when it did not
    exist there (a new blueprint: its whole cost is the change)."""
    import git  # gitpython; imported here since only --against needs it

    try:
        repo = git.Repo(path.resolve().parent, search_parent_directories=True)
        relative = path.resolve().relative_to(Path(repo.working_tree_dir or ".").resolve())
    except (git.GitError, ValueError) as error:
        abort(f"cannot read {path} from git: {str(error).strip()}", EXIT_USAGE)
    from gitdb.exc import BadName, BadObject  # type: ignore[import-untyped]

    try:
        commit = repo.commit(revision)
    except (git.GitError, ValueError, BadName, BadObject):
        abort(f"`--against`: unknown revision `{revision}`", EXIT_USAGE)
    try:
        blob = commit.tree / relative.as_posix()
    except KeyError:
        return None
    try:
        text = blob.data_stream.read().decode("utf-8")
    except (git.GitError, UnicodeDecodeError) as error:
        abort(f"cannot read {path} at `{revision}`: {str(error).strip()}")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text(text + "\n", encoding="utf-8")
        return _load(copy, f"{path}@{revision}")


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    return {
        "region": estimate.region,
        "pools": [asdict(pool) for pool in estimate.pools],
        "items": [asdict(item) for item in estimate.items],
        "total": asdict(estimate.total),
        "unpriced": estimate.unpriced,
        "assumptions": estimate.assumptions,
    }


def _row(sizes: Sizes) -> list[str]:
    return [_usd(sizes.min), _usd(sizes.desired), _usd(sizes.max)]


def _table(platform: Platform, estimate: Estimate) -> Table:
    meta = platform.metadata
    table = Table(title=f"{meta.name} ({meta.environment}): monthly estimate, USD")
    for column in ("item", "instance", "nodes min/desired/max", "$/h"):
        table.add_column(column)
    for column in ("min", "desired", "max"):
        table.add_column(column, justify="right")
    for pool in estimate.pools:
        nodes = f"{pool.nodes.min:g}/{pool.nodes.desired:g}/{pool.nodes.max:g}"
        price = f"{pool.usd_per_hour:g}" if pool.usd_per_hour is not None else "no price"
        instance = f"{pool.instance_type or '-'}" + (" (spot)" if pool.capacity == "spot" else "")
        table.add_row(f"pool {pool.name}", instance, nodes, price, *_row(pool.monthly))
    for item in estimate.items:
        table.add_row(item.name, item.detail, "", "", *_row(item.monthly))
    table.add_section()
    table.add_row("[bold]total[/]", "", "", "", *_row(estimate.total))
    return table


@click.command()
@click.argument("blueprint", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or JSON.",
)
@click.option(
    "--against",
    metavar="GIT_REV",
    help="Also print the difference from the blueprint at this git revision (e.g. HEAD~1).",
)
def cost(blueprint: Path, output: str, against: str | None) -> None:
    """Estimate a blueprint's monthly cost at its pools' min, desired and max sizes."""
    platform = _load(blueprint)
    estimate = estimate_platform(platform)
    earlier = _at_revision(blueprint, against) if against else None
    before = estimate_platform(earlier) if earlier is not None else None
    if against and before is None:
        # The blueprint is new since `against`: the change is its whole cost.
        before = replace(estimate, pools=[], items=[], assumptions=[])
    if output == "json":
        data = estimate_json(estimate)
        if before is not None:
            data["against"] = {"revision": against, **estimate_json(before)}
            data["difference"] = {
                key: getattr(estimate.total, key) - getattr(before.total, key)
                for key in ("min", "desired", "max")
            }
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    stdout.print(_table(platform, estimate))
    if before is not None:
        change = [
            f"{key} {getattr(estimate.total, key) - getattr(before.total, key):+,.2f}"
            for key in ("min", "desired", "max")
        ]
        new = " (new since then)" if earlier is None else ""
        stdout.print(escape(f"change since {against}{new}: " + ", ".join(change) + " USD/month"))
    if estimate.unpriced:
        stdout.print(
            escape(
                f"not priced (no instance type or no list price): {', '.join(estimate.unpriced)}"
            )
        )
    for assumption in estimate.assumptions:
        stdout.print(escape(f"assumes {assumption}"))
    over = [message for _, message in check_budget(platform)]
    if over:
        abort(f"{blueprint}: spec.budget.monthlyUsd: {over[0]}")
