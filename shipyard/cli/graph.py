"""`shipyard graph BLUEPRINT`: the picture of a platform, from its validated blueprint."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.cli.abort import EXIT_USAGE, abort, stderr
from shipyard.graph.svg import MMDC_ENV

FORMATS = ("mermaid", "svg", "png", "json")


@click.command()
@click.argument("blueprint", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="mermaid",
    show_default=True,
    help="`mermaid`: flowchart source (GitHub renders it); `json`: nodes and edges, stable, "
    f"for other tools; `svg`, `png`: drawn by the Mermaid CLI, found by ${MMDC_ENV} or as "
    "`mmdc` on PATH (`scripts/mermaid` installs it).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
def graph(blueprint: Path, output_format: str, out: Path | None) -> None:
    """Draw a platform: node pools, models on their pools, the gateway's routes and
    fallbacks, apps and their bindings, the data services, grouped by layer."""
    from shipyard.graph.build import build_graph
    from shipyard.graph.mermaid import to_mermaid

    try:
        platform = load_blueprint(blueprint)
    except BlueprintError as error:
        abort(f"{blueprint} is invalid:\n{error}")
    drawn = build_graph(platform)
    if output_format == "json":
        data = (json.dumps(drawn.to_json(), indent=2, sort_keys=True) + "\n").encode()
    elif output_format == "mermaid":
        data = to_mermaid(drawn).encode()
    else:
        from shipyard.graph.svg import RenderError, render

        with stderr.status(f"Drawing {blueprint} with the Mermaid CLI..."):
            try:
                data = render(to_mermaid(drawn), output_format)
            except RenderError as error:
                abort(str(error), EXIT_USAGE)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as error:
        abort(f"cannot write {out}: {error.strerror}", EXIT_USAGE)
    stderr.print(escape(f"wrote {out}"))
