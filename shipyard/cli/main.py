"""The `shipyard` entry point."""

from __future__ import annotations

import click

from shipyard import __version__
from shipyard.cli.affected import affected
from shipyard.cli.cost import cost
from shipyard.cli.plan import plan
from shipyard.cli.render import render
from shipyard.cli.schema import schema
from shipyard.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shipyard")
def cli() -> None:
    """Shipyard: a typed, reviewable description of a self-hosted LLM platform."""


cli.add_command(validate)
cli.add_command(schema)
cli.add_command(render)
cli.add_command(cost)
cli.add_command(plan)
cli.add_command(affected)


def main() -> None:
    cli()
