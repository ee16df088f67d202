"""`policies/__main__.py`: the CrossGuard pack registers every rule and reports through the
analyzer protocol exactly what the offline runner reports.

The pack module is run as the CLI runs it (`runpy`, `__main__`), with the gRPC server replaced
by a stand-in so the test drives the real analyzer servicer in-process.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi_policy.policy
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto

from shipyard.policy import RULES

PACK_MAIN = Path(__file__).resolve().parents[2] / "policies" / "__main__.py"
LATEST = "vllm/vllm-openai:latest"


class _Server:
    def add_insecure_port(self, address: str) -> int:
        return 50051

    def start(self) -> None:
        pass

    def stop(self, grace: float | None) -> None:
        pass


def _stop_serving(seconds: float) -> None:
    raise KeyboardInterrupt


@pytest.fixture
def servicer(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The analyzer servicer the pack registers, with the pack started as the CLI starts it."""
    registered: list[Any] = []
    monkeypatch.setattr(pulumi_policy.policy.grpc, "server", lambda *args, **kwargs: _Server())
    monkeypatch.setattr(
        pulumi_policy.policy.analyzer_pb2_grpc,
        "add_AnalyzerServicer_to_server",
        lambda servicer, server: registered.append(servicer),
    )
    monkeypatch.setattr(pulumi_policy.policy.time, "sleep", _stop_serving)
    runpy.run_path(str(PACK_MAIN), run_name="__main__")
    [registered_servicer] = registered
    return registered_servicer


DIGEST_RULE = "images-pinned-by-digest"


def deployment_request(image: str) -> Any:
    properties = struct_pb2.Struct()
    properties.update(
        {
            "metadata": {"name": "web", "namespace": "llm"},
            "spec": {
                "template": {
                    "spec": {
                        "automountServiceAccountToken": False,
                        "securityContext": {"runAsNonRoot": True},
                        "containers": [
                            {
                                "name": "web",
                                "image": image,
                                "resources": {"requests": {"cpu": "1", "memory": "1Gi"}},
                                "securityContext": {
                                    "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]},
                                },
                            }
                        ],
                    }
                }
            },
        }
    )
    return proto.AnalyzeRequest(
        type="kubernetes:apps/v1:Deployment",
        name="web",
        urn="urn:pulumi:e2e::p::kubernetes:apps/v1:Deployment::web",
        properties=properties,
    )


def test_pack_registers_every_rule_with_its_description_and_level(servicer: Any) -> None:
    info = servicer.GetAnalyzerInfo(None, None)
    assert info.name == "shipyard"
    assert [policy.name for policy in info.policies] == [rule.name for rule in RULES]
    levels = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.DISABLED: "disabled"}
    assert [(policy.description, levels[policy.enforcementLevel]) for policy in info.policies] == [
        (rule.description, rule.enforcement_level) for rule in RULES
    ]


def test_pack_publishes_rule_settings_as_config_schema(servicer: Any) -> None:
    info = servicer.GetAnalyzerInfo(None, None)
    schemas = {
        policy.name: json_format.MessageToDict(policy.configSchema.properties)
        for policy in info.policies
    }
    assert schemas["monthly-cost-within-budget"]["monthlyBudgetUsd"]["type"] == "number"
    assert schemas["stateful-resources-protected"]["allowDataLoss"]["default"] is False
    assert schemas["pinned-images"] == {}


def test_latest_image_is_a_mandatory_violation_under_the_engine(servicer: Any) -> None:
    response = servicer.Analyze(deployment_request(LATEST), None)
    [diagnostic] = response.diagnostics
    assert diagnostic.policyName == "pinned-images"
    assert diagnostic.enforcementLevel == proto.MANDATORY
    assert diagnostic.message == (
        "Prohibits container images tagged `latest` or left untagged.\n"
        'spec.template.spec.containers[0].image "vllm/vllm-openai:latest" uses the `latest` tag; '
        "pin a version tag or a digest."
    )


def test_pinned_image_has_no_violation(servicer: Any) -> None:
    tagged = servicer.Analyze(deployment_request("vllm/vllm-openai:v0.8.5"), None).diagnostics
    assert list(tagged) == []  # the digest rule is off by default


def test_enforcement_level_comes_from_pack_config(servicer: Any) -> None:
    servicer.Configure(
        proto.ConfigureAnalyzerRequest(
            policyConfig={
                name: proto.PolicyConfig(enforcementLevel=proto.DISABLED)
                for name in ("pinned-images", DIGEST_RULE)
            }
        ),
        None,
    )
    assert list(servicer.Analyze(deployment_request(LATEST), None).diagnostics) == []


def test_stack_rules_see_protect_and_property_dependencies(servicer: Any) -> None:
    def stack_resource(type_: str, name: str, props: dict[str, Any], **extra: Any) -> Any:
        properties = struct_pb2.Struct()
        properties.update(props)
        return proto.AnalyzerResource(
            type=type_,
            name=name,
            urn=f"urn:pulumi:e2e::p::{type_}::{name}",
            properties=properties,
            **extra,
        )

    bucket = stack_resource(
        "aws:s3/bucket:Bucket", "models", {}, options=proto.AnalyzerResourceOptions(protect=True)
    )
    block = stack_resource(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "models",
        {
            "bucket": "models-id",
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": False,
        },
        propertyDependencies={"bucket": proto.AnalyzerPropertyDependencies(urns=[bucket.urn])},
    )
    response = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=[bucket, block]), None)
    found = sorted((d.policyName, d.urn, d.message.split("\n", 1)[1]) for d in response.diagnostics)
    assert found == [
        (
            "s3-buckets-block-public-access",
            block.urn,
            'BucketPublicAccessBlock "models" does not set restrictPublicBuckets to true.',
        ),
        (
            "s3-buckets-encrypted",
            bucket.urn,
            "serverSideEncryptionConfiguration is not set on the bucket and no "
            "BucketServerSideEncryptionConfiguration refers to it; add one with AES256 or aws:kms.",
        ),
    ]
