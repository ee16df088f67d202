"""Arguments of `PinnedChart`: one Helm chart at an exact version, its merged values and
the Secrets of generated passwords its values name."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs

INSTANCE_LABEL = "app.kubernetes.io/instance"
"""The label Helm's chart starter puts on every object of a release (helm.sh, "Labels and
Annotations" best practices); most public charts keep it."""
DEFAULT_PASSWORD_LENGTH = 32
DEFAULT_SKIP_CRDS = False


class ChartSecret(ComponentArgs):
    """A Secret whose every key is a generated password, created before the chart."""

    name: Annotated[str, Field(description="The Secret's name.")]
    keys: Annotated[tuple[str, ...], Field(min_length=1, description="Its keys.")]
    length: Annotated[
        int,
        Field(ge=16, description=f"Password length; default `{DEFAULT_PASSWORD_LENGTH}`."),
    ] = DEFAULT_PASSWORD_LENGTH


class PinnedChartArgs(ComponentArgs):
    """A chart from a repository (`repository` + `chart`, or an `oci://` reference) or a
    local directory (`path`), at an exact `version`."""

    namespace: Annotated[str, Field(description="Namespace of its namespaced objects.")]
    chart: Annotated[
        str,
        Field(description="The chart's name in `repository`, an `oci://` reference, or a path."),
    ]
    version: Annotated[str, Field(description="The exact chart version.")]
    repository: Annotated[
        str | None, Field(description="The `https://` repository; None for OCI or a path.")
    ] = None
    values: Annotated[
        dict[str, Any], Field(description="The merged values (files, then inline).")
    ] = {}
    secrets: Annotated[
        tuple[ChartSecret, ...], Field(description="Generated Secrets the values name.")
    ] = ()
    skip_crds: Annotated[
        bool, Field(description=f"Leave out `crds/`; default `{DEFAULT_SKIP_CRDS}`.")
    ] = DEFAULT_SKIP_CRDS

    @model_validator(mode="after")
    def _a_source(self) -> PinnedChartArgs:
        if self.repository is not None and self.chart.startswith("oci://"):
            raise ValueError("an `oci://` chart takes no `repository`")
        return self


def render_secret(secret: ChartSecret, namespace: str, instance: str) -> dict[str, Any]:
    """The Secret's manifest without its data (the component fills in the passwords)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": secret.name,
            "namespace": namespace,
            "labels": {INSTANCE_LABEL: instance, "app.kubernetes.io/managed-by": "shipyard"},
        },
        "type": "Opaque",
    }
