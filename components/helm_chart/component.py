"""`PinnedChart`: a Helm chart expanded into individual objects by pulumi-kubernetes'
`helm.v4.Chart`, after the Secrets of generated passwords its values name.

`helm.v4.Chart` runs `helm template` inside the provider and registers every object as a
child resource, so previews, diffs and policy packs see each Deployment and Service;
`helm.v3.Release` would hand the whole release to Helm and show one opaque resource
(docs/charts.md).

    from components.helm_chart import PinnedChart, PinnedChartArgs

    PinnedChart("qdrant", PinnedChartArgs(
        namespace="llm", chart="qdrant", version="1.15.5",
        repository="https://qdrant.github.io/qdrant-helm",
        values={"replicaCount": 3},
    ))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.helm_chart.args import PinnedChartArgs, render_secret
from components.shared.credentials import GivenSecrets, generated_secret

TYPE_TOKEN = "shipyard:charts:PinnedChart"


class PinnedChart(pulumi.ComponentResource):
    """The chart's Secrets, then the chart (`helm.v4.Chart`, one child per object)."""

    chart: pulumi.Output[str]
    """The chart's Pulumi URN, which its objects are children of."""
    secret_names: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: PinnedChartArgs,
        opts: pulumi.ResourceOptions | None = None,
        credentials: GivenSecrets | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        secrets: list[pulumi.Resource] = []
        for secret in args.secrets:
            manifest = render_secret(secret, args.namespace, name)
            data = {
                key: generated_secret(
                    f"{secret.name}-{key}", secret.length, child, given=credentials
                )
                for key in secret.keys
            }
            secrets.append(
                k8s.core.v1.Secret(
                    f"{name}-secret-{secret.name}",
                    metadata=manifest["metadata"],
                    type=manifest["type"],
                    string_data=data,
                    opts=child,
                )
            )
        release = k8s.helm.v4.Chart(
            name,
            chart=args.chart,
            version=args.version,
            namespace=args.namespace,
            repository_opts=(
                k8s.helm.v4.RepositoryOptsArgs(repo=args.repository) if args.repository else None
            ),
            values=args.values,
            skip_crds=args.skip_crds,
            opts=pulumi.ResourceOptions(parent=self, depends_on=secrets),
        )
        self.chart = release.urn
        self.secret_names = pulumi.Output.from_input([secret.name for secret in args.secrets])
        self.register_outputs({"chart": self.chart, "secret_names": self.secret_names})
