"""`PinnedChart` under Pulumi mocks: its generated Secrets before the `helm.v4.Chart`, and
the chart's pinned inputs."""

from __future__ import annotations

import pulumi
import pytest
from pydantic import ValidationError

from components.helm_chart.args import ChartSecret, PinnedChartArgs, render_secret
from components.helm_chart.component import TYPE_TOKEN, PinnedChart
from tests.components.pulumi_recorder import Recorder

ARGS = PinnedChartArgs(
    namespace="llm",
    chart="qdrant",
    version="1.14.0",
    repository="https://qdrant.github.io/qdrant-helm",
    values={"replicaCount": 3},
    secrets=(ChartSecret(name="qdrant-api", keys=("api-key",)),),
)


def test_the_secrets_then_the_chart(monitor: Recorder) -> None:
    @pulumi.runtime.test
    def program() -> pulumi.Output[list[str]]:
        return PinnedChart("qdrant", ARGS).secret_names

    program()
    chart = monitor.one("kubernetes:helm.sh/v4:Chart")
    assert chart.parent is not None and TYPE_TOKEN in chart.parent
    assert {key: chart.inputs[key] for key in ("chart", "version", "namespace", "values")} == {
        "chart": "qdrant",
        "version": "1.14.0",
        "namespace": "llm",
        "values": {"replicaCount": 3},
    }
    assert chart.inputs["repositoryOpts"] == {"repo": "https://qdrant.github.io/qdrant-helm"}
    secret = monitor.one("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"]["name"] == "qdrant-api"
    assert secret.manifest()["stringData"] == {"api-key": "[secret]"}
    # The chart waits for its Secret, and the password is a generated one.
    assert secret.urn in chart.dependencies
    [password] = monitor.of_type("random:index/randomPassword:RandomPassword")
    assert (password.name, password.inputs["length"]) == ("qdrant-api-api-key", 32)
    # Not available offline: one opaque entry with its note.
    assert chart.note is not None and "is not here" in chart.note


def test_the_secret_manifest_names_its_release() -> None:
    manifest = render_secret(ChartSecret(name="qdrant-api", keys=("api-key",)), "llm", "qdrant")
    assert manifest["metadata"] == {
        "name": "qdrant-api",
        "namespace": "llm",
        "labels": {
            "app.kubernetes.io/instance": "qdrant",
            "app.kubernetes.io/managed-by": "shipyard",
        },
    }


def test_an_oci_chart_takes_no_repository() -> None:
    with pytest.raises(ValidationError, match=r"an `oci://` chart takes no `repository`"):
        PinnedChartArgs(
            namespace="llm",
            chart="oci://registry-1.docker.io/bitnamicharts/etcd",
            version="10.2.12",
            repository="https://charts.example.com",
        )
