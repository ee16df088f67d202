"""`PlainManifests`: Kubernetes objects from YAML files, applied by pulumi-kubernetes'
`yaml.v2.ConfigGroup`, which registers each object as a child resource (so previews,
diffs and policy packs see each one) and creates CustomResourceDefinitions before the
custom resources of their kinds.

    from components.manifests import PlainManifests, PlainManifestsArgs

    PlainManifests("kubeagi", PlainManifestsArgs(objects=(crd, deployment)))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.manifests.args import PlainManifestsArgs

TYPE_TOKEN = "shipyard:manifests:PlainManifests"


class PlainManifests(pulumi.ComponentResource):
    group: pulumi.Output[str]
    """The ConfigGroup's URN, which the objects are children of."""

    def __init__(
        self, name: str, args: PlainManifestsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        group = k8s.yaml.v2.ConfigGroup(
            name, objs=list(args.objects), opts=pulumi.ResourceOptions(parent=self)
        )
        self.group = group.urn
        self.register_outputs({"group": self.group})
