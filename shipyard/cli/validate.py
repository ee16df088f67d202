"""`shipyard validate BLUEPRINT...`: every problem in every file, exit 1 if any."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.cli.abort import EXIT_INVALID, stderr


@click.command()
@click.argument("blueprints", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(blueprints: tuple[Path, ...]) -> None:
    """Validate blueprints without deploying anything."""
    failed = 0
    for path in blueprints:
        try:
            platform = load_blueprint(path)
        except BlueprintError as error:
            failed += 1
            for problem in error.problems:
                stderr.print(escape(problem.render(error.file)))
            continue
        click.echo(
            f"{path}: valid ({len(platform.spec.node_pools)} node pool(s), "
            f"{len(platform.spec.models)} model(s))"
        )
    if failed:
        stderr.print(f"{failed} of {len(blueprints)} blueprint(s) invalid")
        raise click.exceptions.Exit(EXIT_INVALID)
