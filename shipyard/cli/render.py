"""`shipyard render BLUEPRINT`: run the stack program offline and show what it creates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree
from ruamel.yaml import YAML

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.cli.abort import EXIT_USAGE, abort, stderr

if TYPE_CHECKING:
    from shipyard.render import RenderedResource

stdout = Console(highlight=False, emoji=False, soft_wrap=True)


def _tree(resources: list[RenderedResource], title: str) -> Tree:
    root = Tree(title)
    nodes: dict[str, Tree] = {}
    for resource in resources:
        parent = nodes.get(resource.parent or "", root)
        text = f"{escape(resource.type)}  [bold]{escape(resource.name)}[/]"
        if resource.note:
            text += f"  [italic](opaque: {escape(resource.note)})[/]"
        nodes[resource.urn] = parent.add(text)
    return root


def _ordered(resources: list[RenderedResource]) -> list[RenderedResource]:
    """Parents before children, siblings by type and name, whatever order RPCs finished in."""
    children: dict[str | None, list[RenderedResource]] = {}
    urns = {resource.urn for resource in resources}
    for resource in resources:
        parent = resource.parent if resource.parent in urns else None
        children.setdefault(parent, []).append(resource)
    ordered: list[RenderedResource] = []

    def visit(parent: str | None) -> None:
        for child in sorted(children.get(parent, []), key=lambda r: (r.type, r.name)):
            ordered.append(child)
            visit(child.urn)

    visit(None)
    return ordered


RENDER_MARKER = ".shipyard-render"
"""In an `--out` directory: every file the last render wrote, one relative path a line, so
the next render removes them first and leaves no stale object behind (and nothing else)."""


def remove_previous(out: Path) -> list[Path]:
    """Delete the files the last render into `out` wrote (per its marker), and the folders
    they leave empty; files the render did not write stay. Returns what it deleted."""
    marker = out / RENDER_MARKER
    if not marker.is_file():
        return []
    root = out.resolve()
    removed = []
    for line in marker.read_text(encoding="utf-8").splitlines():
        path = (out / line).resolve()
        if line and path.is_relative_to(root) and path != root and path.is_file():
            path.unlink()
            removed.append(path)
            if path.parent != root and not any(path.parent.iterdir()):
                path.parent.rmdir()
    marker.unlink()
    return removed


def record_written(out: Path, written: list[Path]) -> None:
    lines = sorted(str(path.relative_to(out)) for path in written)
    (out / RENDER_MARKER).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def write_manifests(resources: list[RenderedResource], out: Path) -> list[Path]:
    """One YAML file per Kubernetes object, named `<kind>-<namespace>-<name>.yaml`."""
    out.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    written = []
    for resource in resources:
        if not resource.is_kubernetes_object:
            continue
        manifest = resource.manifest()
        metadata = manifest.get("metadata", {})
        parts = [manifest["kind"].lower(), metadata.get("namespace"), metadata.get("name")]
        path = out / ("-".join(part for part in parts if part) + ".yaml")
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(manifest, handle)
        written.append(path)
    return written


def write_observability(resources: list[RenderedResource], out: Path) -> list[Path]:
    """The dashboards and alert rules again, as the files Grafana and Prometheus read:
    `dashboards/<file>.json` from every ConfigMap labelled for Grafana's sidecar, and
    `rules/<namespace>-<name>.yaml` (a plain rule file, for `promtool check rules`) from
    every PrometheusRule or plain-Prometheus ConfigMap."""
    from components.monitoring.dashboards import SIDECAR_LABEL
    from components.monitoring.monitors import PLAIN_CONFIG_MAP, RULES_KEY

    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for resource in resources:
        if not resource.is_kubernetes_object:
            continue
        manifest = resource.manifest()
        metadata = manifest.get("metadata", {})
        labels = metadata.get("labels") or {}
        prefix = f"{metadata.get('namespace')}-{metadata.get('name')}"
        if manifest["kind"] == "PrometheusRule":
            text = json.dumps({"groups": manifest["spec"]["groups"]}, indent=2, sort_keys=True)
            write(out / "rules" / f"{prefix}.yaml", text + "\n")
        elif manifest["kind"] == "ConfigMap" and metadata.get("name") == PLAIN_CONFIG_MAP:
            write(out / "rules" / f"{prefix}.yaml", manifest["data"][RULES_KEY])
        elif manifest["kind"] == "ConfigMap" and SIDECAR_LABEL.items() <= labels.items():
            for key, text in sorted(manifest.get("data", {}).items()):
                write(out / "dashboards" / key, text)
    return written


@click.command()
@click.argument("blueprint", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write every Kubernetes object as YAML under this directory.",
)
@click.option(
    "--output",
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the resource tree.",
)
def render(blueprint: Path, out: Path | None, output: str) -> None:
    """Render a blueprint offline under Pulumi mocks: no cluster, no credentials."""
    try:
        platform = load_blueprint(blueprint)
    except BlueprintError as error:
        abort(f"{blueprint} is invalid:\n{error}")
    # The Pulumi SDK loads here, not at import: `shipyard render --help` stays fast.
    from shipyard.render import find_project_root, render_blueprint

    project_root = find_project_root(Path.cwd()) or find_project_root(blueprint.parent)
    if project_root is None:
        abort("no Pulumi.yaml found here or above; run from the Shipyard project", EXIT_USAGE)
    with stderr.status(f"Rendering {blueprint} under Pulumi mocks..."):
        resources = _ordered(
            render_blueprint(blueprint, project_root, platform.metadata.environment, platform)
        )
    if output == "json":
        rows = [
            {"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent}
            | ({"note": r.note} if r.note else {})
            for r in resources
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        meta = platform.metadata
        title = f"{meta.name} ({meta.environment}): {len(resources)} resources"
        stdout.print(_tree(resources, title))
    for resource in resources:
        if resource.note:
            stderr.print(escape(f"{resource.type} {resource.name}: {resource.note}"))
    if out is not None:
        remove_previous(out)
        written = write_manifests(resources, out)
        stderr.print(escape(f"wrote {len(written)} Kubernetes object(s) to {out}"))
        extras = write_observability(resources, out)
        if extras:
            dashboards = sum(1 for path in extras if path.parent.name == "dashboards")
            stderr.print(
                escape(
                    f"wrote {dashboards} dashboard(s) to {out / 'dashboards'} and "
                    f"{len(extras) - dashboards} rule file(s) to {out / 'rules'}"
                )
            )
        record_written(out, [*written, *extras])
