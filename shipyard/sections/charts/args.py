"""`spec.charts[]` -> `PinnedChartArgs` (pure): where the chart comes from (its mirror if
set), its merged values and its generated Secrets."""

from __future__ import annotations

from components.helm_chart.args import ChartSecret, PinnedChartArgs
from shipyard.blueprint.platform import Platform
from shipyard.sections.charts.mirrors import mirrored
from shipyard.sections.charts.model import ChartSpec
from shipyard.sections.charts.values import merged_values


def credential_secret_name(spec: ChartSpec, credential: str) -> str:
    """`qdrant` + `admin` -> `qdrant-admin`: the Secret the chart's values name."""
    return f"{spec.name}-{credential}"


def chart_location(platform: Platform, spec: ChartSpec) -> str:
    """What `helm.v4.Chart` is given as `chart`: an absolute directory, an `oci://`
    reference, or the chart's name in its repository."""
    if spec.path is not None:
        return str((platform.directory / spec.path).resolve())
    repository = _repository(platform, spec) or ""
    if repository.startswith("oci://"):
        return f"{repository.rstrip('/')}/{spec.chart_name}"
    return spec.chart_name


def _repository(platform: Platform, spec: ChartSpec) -> str | None:
    """Where the chart is fetched from: its own `mirror`, else `spec.chartMirrors`' mirror of
    its repository, else the repository."""
    if spec.mirror or spec.repository is None:
        return spec.mirror
    return mirrored(platform.spec.chart_mirrors, spec.repository)


def chart_repository(platform: Platform, spec: ChartSpec) -> str | None:
    """The `https://` repository (the mirror when set); None for OCI and local charts."""
    repository = _repository(platform, spec)
    return repository if repository and repository.startswith("https://") else None


def chart_args(platform: Platform, spec: ChartSpec) -> PinnedChartArgs:
    return PinnedChartArgs(
        namespace=spec.namespace or platform.namespace,
        chart=chart_location(platform, spec),
        version=spec.version,
        repository=chart_repository(platform, spec),
        values=merged_values(spec, platform.directory),
        secrets=tuple(
            ChartSecret(
                name=credential_secret_name(spec, credential.name),
                keys=tuple(credential.keys),
                length=credential.length,
            )
            for credential in spec.credentials
        ),
        skip_crds=spec.skip_crds,
    )
