"""`spec.charts`: pinned Helm charts, the escape hatch for what no section runs
(docs/charts.md).

A chart comes from a repository (`https://` or `oci://`) at an exact version, or from a
directory in the repo. Its values are inline or in files beside the blueprint, and its
credentials are generated Secrets that the values name. Rules that read files (the
chart's schema, its `Chart.yaml`, values files) are in `checks.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from components.helm_chart import args as chart_args
from components.shared.names import Dns1123Label, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import UseBase

EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
"""Semantic Versioning 2.0.0 (semver.org): MAJOR.MINOR.PATCH, optional pre-release and
build; Helm accepts a leading `v`. Anything else (`^1.2`, `~1.2.3`, `>=1`, `1.x`, `*`) is a
range, and a range would let the same blueprint deploy different code tomorrow."""
DIGEST = r"^sha256:[0-9a-f]{64}$"
DEFAULT_CREDENTIAL_LENGTH = 32


class ChartCredential(BlueprintModel):
    """A Secret of generated passwords, created before the chart, that its values name
    (e.g. `auth.existingSecret`)."""

    name: Annotated[
        Dns1123Label,
        Field(description="Names the Secret `<chart>-<name>`, e.g. `admin` -> `qdrant-admin`."),
    ]
    keys: Annotated[
        list[Annotated[str, Field(pattern=r"^[-._a-zA-Z0-9]+$")]],
        Field(min_length=1, description="The Secret's keys, each a generated password."),
    ]
    length: Annotated[
        int,
        Field(
            ge=16,
            le=128,
            description=f"Characters per password; default `{DEFAULT_CREDENTIAL_LENGTH}`.",
        ),
    ] = DEFAULT_CREDENTIAL_LENGTH


class ChartSpec(BlueprintModel):
    """One Helm chart, expanded by pulumi-kubernetes' `helm.v4.Chart` into individual
    objects that render, plan and the policy pack all see."""

    name: Annotated[
        ServiceName,
        Field(description="The release name; unique among the charts. Helm's labels use it."),
    ]
    repository: Annotated[
        str | None,
        Field(
            pattern=r"^(https://|oci://)\S+$",
            description="An `https://` chart repository or an `oci://` registry path; "
            "or give `path`.",
        ),
    ] = None
    chart: Annotated[
        str | None,
        Field(
            pattern=r"^[a-z0-9][-a-z0-9_.]*$",
            description="The chart's name in `repository`; default `name`.",
        ),
    ] = None
    path: Annotated[
        str | None,
        Field(
            min_length=1, description="A chart directory in the repo, relative to the blueprint."
        ),
    ] = None
    version: Annotated[
        str,
        Field(description="The exact chart version, e.g. `1.15.5`; a range is refused."),
    ]
    digest: Annotated[
        str | None,
        Field(
            pattern=DIGEST,
            description="`sha256:` of the chart archive; checked where the archive is cached.",
        ),
    ] = None
    mirror: Annotated[
        str | None,
        Field(
            pattern=r"^(https://|oci://)\S+$",
            description="Fetch from this repository instead of `repository` (air-gapped).",
        ),
    ] = None
    namespace: Annotated[
        Dns1123Label | None,
        Field(description="Where its objects go; default the platform's namespace."),
    ] = None
    values: Annotated[
        dict[str, Any], Field(description="Inline values, applied after `valuesFiles`.")
    ] = {}
    values_files: Annotated[
        list[Annotated[str, Field(min_length=1)]],
        Field(description="YAML values files relative to the blueprint, in order."),
    ] = []
    credentials: Annotated[
        list[ChartCredential],
        Field(description="Generated Secrets the values name; literal credentials are refused."),
    ] = []
    depends_on: Annotated[
        list[str],
        Field(description="Sections (`postgres`, `cache`, ...) or charts created before it."),
    ] = []
    pod_labels: Annotated[
        dict[str, str] | None,
        Field(
            description="Labels of its pods, for the NetworkPolicy of apps bound to it; "
            "default Helm's `app.kubernetes.io/instance: <name>`."
        ),
    ] = None
    skip_crds: Annotated[
        bool, Field(description="Leave out the chart's `crds/`; default false.")
    ] = False

    @model_validator(mode="after")
    def _one_source(self) -> ChartSpec:
        if (self.repository is None) == (self.path is None):
            raise ValueError("give exactly one of `repository` or `path`")
        return self

    @property
    def chart_name(self) -> str:
        return self.chart or self.name

    @property
    def selector(self) -> dict[str, str]:
        return self.pod_labels or {chart_args.INSTANCE_LABEL: self.name}


class ChartUse(UseBase):
    """A binding to a chart's Service: its host, port and URL, and the egress to its pods."""

    kind: Annotated[Literal["chart"], Field(description="`chart`.")]
    chart: Annotated[str, Field(description="A declared chart's `name`.")]
    service: Annotated[
        Dns1123Label | None, Field(description="The Service's name; default the chart's name.")
    ] = None
    port: Annotated[int, Field(ge=1, le=65535, description="The Service port.")]
    target_port: Annotated[
        int | None,
        Field(
            ge=1,
            le=65535,
            description="The pods' port behind it, which the NetworkPolicy admits; default "
            "what the expanded chart's Service says, else `port`.",
        ),
    ] = None
    credential: Annotated[
        str | None,
        Field(description="One of the chart's `credentials`: its keys are handed to the app."),
    ] = None
