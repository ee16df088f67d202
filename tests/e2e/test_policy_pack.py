"""The CrossGuard pack under the real engine: `pulumi preview --policy-pack policies` fails on
a `latest` image with the `pinned-images` message, and passes once the image is pinned.

The Pulumi CLI built here has no `pulumi-language-python` host, so it starts Python packs
through a `pulumi-analyzer-policy-python` plugin: `policies/bin/` holds that launcher, and the
test installs it into the harness's PULUMI_HOME (which ignores plugins on PATH). The
Kubernetes provider renders to a directory, so preview needs no cluster.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest
from pulumi import automation as auto

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
PACK = REPO_ROOT / "policies"
LAUNCHER = PACK / "bin" / "pulumi-analyzer-policy-python"
NAMESPACE = "policy-e2e"
VIOLATION = (
    'spec.template.spec.containers[0].image "vllm/vllm-openai:latest" uses the `latest` tag; '
    "pin a version tag or a digest."
)


def program() -> None:
    config = pulumi.Config()
    provider = k8s.Provider("render", render_yaml_to_directory=config.require("renderDir"))
    opts = pulumi.ResourceOptions(provider=provider)
    labels = {"app": "web"}
    k8s.networking.v1.NetworkPolicy(
        "web",
        metadata={"name": "web", "namespace": NAMESPACE},
        spec={"pod_selector": {"match_labels": labels}, "policy_types": ["Ingress"]},
        opts=opts,
    )
    container = {
        "name": "web",
        "image": config.require("image"),
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
        "security_context": {
            "run_as_non_root": True,
            "run_as_user": 1000,
            "allow_privilege_escalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    k8s.apps.v1.Deployment(
        "web",
        metadata={"name": "web", "namespace": NAMESPACE},
        spec={
            "selector": {"match_labels": labels},
            "template": {
                "metadata": {"labels": labels},
                # Compliant but for the image: no API access, so no token (an advisory rule).
                "spec": {"automount_service_account_token": False, "containers": [container]},
            },
        },
        opts=opts,
    )


@pytest.fixture(scope="module")
def policy_launcher(toolchain_bin: Path, pulumi_home: Path) -> None:
    """The launcher, installed as the `policy-python` analyzer plugin in PULUMI_HOME."""
    subprocess.run(
        [
            str(toolchain_bin / "pulumi"),
            *("plugin", "install", "analyzer", "policy-python", "v0.1.0"),
            *("--file", str(LAUNCHER)),
        ],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PULUMI_HOME": str(pulumi_home),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        },
        check=True,
        capture_output=True,
    )


def test_latest_image_fails_preview_and_a_pinned_one_passes(
    policy_launcher: None, pulumi_stack, tmp_path: Path
) -> None:
    stack = pulumi_stack(
        "shipyard-e2e-policy",
        program,
        config={"image": "vllm/vllm-openai:latest", "renderDir": str(tmp_path / "rendered")},
    )

    with pytest.raises(auto.errors.CommandError) as failed:
        stack.preview(policy_packs=[str(PACK)], on_output=lambda line: None)
    output = str(failed.value)
    assert "[mandatory]  pinned-images  (kubernetes:apps/v1:Deployment: web)" in output
    assert VIOLATION in output

    stack.set_config("image", auto.ConfigValue(value="vllm/vllm-openai:v0.8.5"))
    passed = stack.preview(policy_packs=[str(PACK)], on_output=lambda line: None)
    assert "pinned-images" not in passed.stdout
    assert "✅ shipyard@v0.1.0" in passed.stdout
    assert passed.change_summary == {"create": 4}
