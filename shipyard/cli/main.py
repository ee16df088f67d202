"""The `shipyard` entry point."""

from __future__ import annotations

import importlib

import click

from shipyard import __version__

# Subcommands load on first use: `validate`, `schema` and `graph` never pay for importing
# the Pulumi SDKs, which `render`, `plan` and `cost` need (seconds, not milliseconds).
COMMANDS = {
    "validate": "shipyard.cli.validate:validate",
    "schema": "shipyard.cli.schema:schema",
    "render": "shipyard.cli.render:render",
    "cost": "shipyard.cli.cost:cost",
    "graph": "shipyard.cli.graph:graph",
    "plan": "shipyard.cli.plan:plan",
    "affected": "shipyard.cli.affected:affected",
    "reconcile": "shipyard.cli.reconcile:reconcile",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shipyard")
def cli() -> None:
    """Shipyard: a typed, reviewable description of a self-hosted LLM platform."""


def main() -> None:
    cli()
