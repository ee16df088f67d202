"""The one exit path for user errors: a message, an exit code, no traceback."""

from __future__ import annotations

from typing import NoReturn

import click
from rich.console import Console

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_INVALID = 1
EXIT_USAGE = 2


def abort(message: str, code: int = EXIT_INVALID) -> NoReturn:
    stderr.print(f"[bold red]error:[/] {message}", markup=True)
    raise click.exceptions.Exit(code)
