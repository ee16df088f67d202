"""Shipyard's components as package resources, for programs in other languages.

The Python component provider host infers the package schema from a component's
constructor: its args must be a TypedDict of schema-describable types. Shipyard's
components take frozen Pydantic Args (validated, with named defaults), so each one
offered here is a thin ComponentResource whose TypedDict mirrors the component's Args
and whose constructor builds those Args, so every check and default still applies.

No `from __future__ import annotations` here: the analyzer reads the annotations as
types, not strings.
"""

from typing import NotRequired, TypedDict

import pulumi

from components.ray.operator import KubeRayOperator as Operator
from components.ray.operator import KubeRayOperatorArgs as OperatorArgs

PACKAGE = "shipyard"


class KubeRayOperatorArgs(TypedDict):
    namespace: str
    """Namespace of the operator."""
    chart_version: NotRequired[str]
    """KubeRay chart version; default the pinned release."""
    chart_path: NotRequired[str]
    """Absolute path of a local `kuberay-operator` chart, instead of the chart repository."""


class KubeRayOperator(pulumi.ComponentResource):
    """The KubeRay operator and its CRDs, from the pinned Helm chart
    (`components.ray.operator.KubeRayOperator`)."""

    release_name: pulumi.Output[str]
    """The Helm release's name."""
    chart_version: pulumi.Output[str]
    """The chart version installed."""

    def __init__(
        self, name: str, args: KubeRayOperatorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:index:KubeRayOperator", name, {}, opts)
        operator = Operator(name, OperatorArgs(**args), opts=pulumi.ResourceOptions(parent=self))
        self.release_name = operator.release_name
        self.chart_version = operator.chart_version
        self.register_outputs(
            {"release_name": self.release_name, "chart_version": self.chart_version}
        )
