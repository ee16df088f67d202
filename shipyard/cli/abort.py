"""The one exit path for user errors: a message, an exit code, no traceback."""

from __future__ import annotations

from typing import NoReturn

import click
from rich.console import Console
from rich.text import Text

stderr = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)

EXIT_INVALID = 1
EXIT_USAGE = 2


def abort(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """Print `message` literally (no markup, no `:emoji:` codes: it often holds a user's
    text) after a red `error:`, and exit with `code`."""
    stderr.print(Text.assemble(("error:", "bold red"), " ", message))
    raise click.exceptions.Exit(code)
