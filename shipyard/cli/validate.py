"""`shipyard validate BLUEPRINT...`: every problem in every file, exit 1 if any."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from shipyard.blueprint import BlueprintError, Platform
from shipyard.blueprint.loader import load_with_advisories
from shipyard.cli.abort import EXIT_INVALID, EXIT_USAGE, abort, stderr
from shipyard.policy import PolicyConfigError, PolicySettings, load_policy_config


@click.command()
@click.argument("blueprints", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--policies",
    is_flag=True,
    help="Also render each valid blueprint offline and run the policy pack's rules over it; "
    "mandatory violations fail, advisory ones are warnings.",
)
@click.option(
    "--policy-config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Enforcement levels and rule settings (JSON, as `pulumi --policy-pack-config` takes); "
    "implies --policies.",
)
def validate(blueprints: tuple[Path, ...], policies: bool, policy_config: Path | None) -> None:
    """Validate blueprints without deploying anything."""
    settings = _policy_settings(policy_config) if policies or policy_config else None
    violating = 0
    failed = 0
    for path in blueprints:
        try:
            platform, advisories = load_with_advisories(path)
        except BlueprintError as error:
            failed += 1
            for problem in error.problems:
                stderr.print(escape(problem.render(error.file)))
            continue
        click.echo(f"{path}: valid ({summary(platform)})")
        for advisory in advisories:
            stderr.print(escape(f"warning: {advisory.render(str(path))}"))
        if settings is not None and _report_policies(path, platform, settings):
            violating += 1
    if failed:
        stderr.print(f"{failed} of {len(blueprints)} blueprint(s) invalid")
    if violating:
        stderr.print(f"{violating} of {len(blueprints)} blueprint(s) violate mandatory policies")
    if failed or violating:
        raise click.exceptions.Exit(EXIT_INVALID)


def summary(platform: Platform) -> str:
    """What a valid blueprint declares, e.g. `2 node pool(s), 1 model(s); gateway, postgres`."""
    spec = platform.spec
    sections = {
        "gateway": spec.gateway,
        f"cache {spec.cache.provider}" if spec.cache else "cache": spec.cache,
        "ray": spec.ray,
        f"objectStore {spec.object_store.provider}" if spec.object_store else "objectStore": (
            spec.object_store
        ),
        "postgres": spec.postgres,
        "analytics": spec.analytics,
        "events": spec.events,
        "gitops": spec.gitops,
        f"monitoring {spec.monitoring.prometheus.type}" if spec.monitoring else "monitoring": (
            spec.monitoring
        ),
    }
    declared = [name for name, section in sections.items() if section is not None]
    counts = f"{len(spec.node_pools)} node pool(s), {len(spec.models)} model(s)"
    if spec.apps:
        counts += f", {len(spec.apps)} app(s)"
    return f"{counts}; {', '.join(declared)}" if declared else counts


def _policy_settings(path: Path | None) -> PolicySettings:
    if path is None:
        return PolicySettings()
    try:
        return load_policy_config(path)
    except PolicyConfigError as error:
        abort(str(error), EXIT_USAGE)


def _report_policies(path: Path, platform: Platform, settings: PolicySettings) -> bool:
    """Print every policy violation of one blueprint; True if any is mandatory."""
    # Imported here: rendering loads Pulumi, which plain validation never needs.
    from shipyard.policy.offline import blueprint_findings
    from shipyard.render import find_project_root

    project_root = find_project_root(Path.cwd()) or find_project_root(path.parent)
    if project_root is None:
        abort(
            "--policies renders the stack program: no Pulumi.yaml found here or above",
            EXIT_USAGE,
        )
    with stderr.status(f"Checking {path} against the policies..."):
        findings = blueprint_findings(path, platform, project_root, settings)
    for finding in findings:
        stderr.print(escape(finding.render(str(path))))
    mandatory = any(finding.mandatory for finding in findings)
    if not mandatory:
        from shipyard.policy.rules import RULES

        ran = sum(1 for rule in RULES if settings.level(rule) != "disabled")
        warned = f", {len(findings)} advisory warning(s)" if findings else ""
        click.echo(f"{path}: policies passed ({ran} of {len(RULES)} rules ran{warned})")
    return mandatory
