"""`shipyard schema [--check]`: write or verify `blueprints/schema.json`."""

from __future__ import annotations

from pathlib import Path

import click

from shipyard.cli.abort import abort
from shipyard.schema import render_schema

DEFAULT_SCHEMA_PATH = Path("blueprints") / "schema.json"


@click.command()
@click.option(
    "--path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_SCHEMA_PATH,
    show_default=True,
    help="Where the schema lives.",
)
@click.option("--check", is_flag=True, help="Fail if the file is missing or stale; write nothing.")
def schema(path: Path, check: bool) -> None:
    """Generate the blueprint JSON Schema from the models."""
    wanted = render_schema()
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if check:
        if current != wanted:
            abort(f"{path} is stale; run `shipyard schema` and commit the result")
        click.echo(f"{path} is up to date")
        return
    if current == wanted:
        click.echo(f"{path} is up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(wanted, encoding="utf-8")
    click.echo(f"wrote {path}")
