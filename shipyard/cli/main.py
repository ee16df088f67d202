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


SHORT_HELP = {
    "affected": "List the stacks a change affects, in promotion order.",
    "cost": "Estimate a blueprint's monthly cost at its pools' min, desired and max sizes.",
    "graph": "Draw a platform: node pools, models on their pools, the gateway's routes...",
    "plan": "Plan every stack the changes from --base to --head affect.",
    "reconcile": "Watch a branch and apply it: fetch, apply and check drift, on a timer...",
    "render": "Render a blueprint offline under Pulumi mocks: no cluster, no credentials.",
    "schema": "Generate the blueprint JSON Schema from the models.",
    "validate": "Validate blueprints without deploying anything.",
}
"""What `shipyard --help` lists, so it imports no subcommand (tests/cli/test_help.py checks
each against the command's own first line)."""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP[name]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
