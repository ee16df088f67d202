"""`shipyard --help` and every subcommand's `--help` load no Pulumi SDK (issue 16: help is
fast). Each runs in a fresh interpreter, so modules other tests imported do not count."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pytest

from shipyard.cli.main import COMMANDS, SHORT_HELP, cli

PROBE = """
import json, sys
from shipyard.cli.main import cli
try:
    cli({args!r})
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m == "pulumi" or m.startswith("pulumi."))))
"""


def _modules_after(args: list[str]) -> tuple[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    *shown, last = done.stdout.rstrip("\n").split("\n")
    return "\n".join(shown), json.loads(last)


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(COMMANDS))])
def test_help_imports_no_pulumi(command: list[str]) -> None:
    shown, pulumi = _modules_after([*command, "--help"])
    assert shown.startswith("Usage: ")
    assert pulumi == []


def test_the_listed_short_help_is_each_commands_own() -> None:
    assert sorted(SHORT_HELP) == sorted(COMMANDS)
    context = click.Context(cli)
    for name, short in SHORT_HELP.items():
        command = cli.get_command(context, name)
        assert command is not None
        own = re.sub(r"\s+", " ", command.help or "")
        assert own.startswith(short.split(":")[0].removesuffix(".")), name


def test_the_top_level_help_lists_every_command() -> None:
    shown, _ = _modules_after(["--help"])
    for name, short in SHORT_HELP.items():
        assert re.search(rf"^  {name} +{re.escape(short[:20])}", shown, re.M), name


@pytest.mark.parametrize("command", ["affected", "cost", "graph", "plan", "render"])
def test_one_vocabulary_output_with_format_as_its_alias(command: str) -> None:
    chosen = cli.get_command(click.Context(cli), command)
    assert chosen is not None
    (option,) = [p for p in chosen.params if "--output" in getattr(p, "opts", ())]
    assert option.opts == ["--output", "--format"]


def test_usage_errors_exit_2_everywhere() -> None:
    from click.testing import CliRunner

    for name in sorted(COMMANDS):
        result = CliRunner().invoke(cli, [name, "--no-such-option"])
        assert result.exit_code == 2, name
        assert "No such option '--no-such-option'" in result.output, name
