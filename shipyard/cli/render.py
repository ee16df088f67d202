"""`shipyard render BLUEPRINT`: run the stack program offline and show what it creates."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree
from ruamel.yaml import YAML

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.cli.abort import abort, stderr
from shipyard.render import RenderedResource, find_project_root, render_blueprint

stdout = Console(highlight=False, soft_wrap=True)


def _tree(resources: list[RenderedResource], title: str) -> Tree:
    root = Tree(title)
    nodes: dict[str, Tree] = {}
    for resource in resources:
        parent = nodes.get(resource.parent or "", root)
        nodes[resource.urn] = parent.add(
            f"{escape(resource.type)}  [bold]{escape(resource.name)}[/]"
        )
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
        abort(escape(f"{blueprint} is invalid:\n{error}"))
    project_root = find_project_root(Path.cwd()) or find_project_root(blueprint.parent)
    if project_root is None:
        abort("no Pulumi.yaml found here or above; run from the Shipyard project")
    with stderr.status(f"Rendering {blueprint} under Pulumi mocks..."):
        resources = _ordered(
            render_blueprint(blueprint, project_root, platform.metadata.environment, platform)
        )
    if output == "json":
        rows = [
            {"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent} for r in resources
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        meta = platform.metadata
        title = f"{meta.name} ({meta.environment}): {len(resources)} resources"
        stdout.print(_tree(resources, title))
    if out is not None:
        written = write_manifests(resources, out)
        stderr.print(f"wrote {len(written)} Kubernetes object(s) to {out}")
        extras = write_observability(resources, out)
        if extras:
            dashboards = sum(1 for path in extras if path.parent.name == "dashboards")
            stderr.print(
                f"wrote {dashboards} dashboard(s) to {out / 'dashboards'} and "
                f"{len(extras) - dashboards} rule file(s) to {out / 'rules'}"
            )
