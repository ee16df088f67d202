"""`S3Bucket` under Pulumi mocks: encryption, versioning, the public access block,
deletion protection and the IRSA trust policy; bucket naming rules and the pure documents."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await
from pydantic import ValidationError

from components.s3.args import bucket_name_problem
from components.s3.component import OidcTrust, S3Bucket, S3BucketArgs, ServiceAccount
from components.s3.config import bucket_access_policy, consumers_trust_policy
from shipyard.render import EchoMocks, RecordingMonitor, RenderedResource, install_monitor

ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
LOADER = ServiceAccount(namespace="llm", name="model-loader")
RAY = ServiceAccount(namespace="llm", name="ray-worker")


class AwsMocks(EchoMocks):
    """AWS computes ARNs; stand in for them so the policies render with real shapes."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        return resource_id, {"arn": f"arn:aws:mock::123456789012:{args.name}", **state}


def make(**overrides: Any) -> S3BucketArgs:
    return S3BucketArgs(**{"bucket": "acme-llm-models", "consumers": (LOADER,), **overrides})


def render(args: S3BucketArgs, trust: OidcTrust | None = None) -> list[RenderedResource]:
    monitor = RecordingMonitor(AwsMocks())
    install_monitor(monitor, "shipyard", "test")
    trust = trust or OidcTrust(provider_arn=PROVIDER_ARN, issuer_url=ISSUER)
    _sync_await(run_pulumi_func(lambda: S3Bucket("models", args, trust=trust)))
    return list(monitor.recorded)


def one(resources: list[RenderedResource], type_: str) -> RenderedResource:
    [found] = [r for r in resources if r.type == type_]
    return found


@pytest.fixture(scope="module")
def resources() -> list[RenderedResource]:
    return render(make(consumers=(RAY, LOADER)))


def test_bucket_is_named_protected_and_kept_on_destroy(resources: list[RenderedResource]) -> None:
    bucket = one(resources, "aws:s3/bucket:Bucket")
    component = one(resources, "shipyard:aws:S3Bucket")
    assert bucket.parent == component.urn
    assert bucket.inputs["bucket"] == "acme-llm-models"
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.protect is True
    assert one(resources, "aws:kms/key:Key").protect is True


def test_public_access_block_sets_all_four_flags(resources: list[RenderedResource]) -> None:
    bucket = one(resources, "aws:s3/bucket:Bucket")
    block = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert {k: v for k, v in block.inputs.items() if k not in ("bucket", "arn")} == {
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert tuple(block.property_dependencies["bucket"]) == (bucket.urn,)
    ownership = one(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_kms_encryption_with_a_rotated_key(resources: list[RenderedResource]) -> None:
    sse = one(
        resources,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    key = one(resources, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert sse.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": "arn:aws:mock::123456789012:models-bucket",
            },
            "bucketKeyEnabled": True,
        }
    ]


def test_versioning_is_enabled(resources: list[RenderedResource]) -> None:
    versioning = one(resources, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_irsa_trust_policy_names_every_consumer(resources: list[RenderedResource]) -> None:
    role = one(resources, "aws:iam/role:Role")
    [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Federated": PROVIDER_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    issuer = ISSUER.removeprefix("https://")
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer}:sub": [
            "system:serviceaccount:llm:model-loader",
            "system:serviceaccount:llm:ray-worker",
        ],
        f"{issuer}:aud": "sts.amazonaws.com",
    }


def test_role_may_use_this_bucket_and_its_key_only(resources: list[RenderedResource]) -> None:
    policy = json.loads(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    bucket_arn = "arn:aws:mock::123456789012:models"
    assert [s["Resource"] for s in policy["Statement"]] == [
        bucket_arn,
        f"{bucket_arn}/*",
        "arn:aws:mock::123456789012:models-bucket",
    ]


def test_aes256_and_allow_data_loss() -> None:
    resources = render(make(encryption="AES256", allow_data_loss=True, consumers=()))
    bucket = one(resources, "aws:s3/bucket:Bucket")
    assert bucket.protect is False
    assert bucket.inputs["forceDestroy"] is True
    sse = one(
        resources,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    assert sse.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
            "bucketKeyEnabled": False,
        }
    ]
    assert not [r for r in resources if r.type in ("aws:kms/key:Key", "aws:iam/role:Role")]


def test_a_given_kms_key_is_used_not_created() -> None:
    arn = "arn:aws:kms:us-east-1:123456789012:key/abcd"
    resources = render(make(kms_key_arn=arn))
    assert not [r for r in resources if r.type == "aws:kms/key:Key"]
    policy = json.loads(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy["Statement"][-1] == {
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": arn,
    }


def test_consumers_without_trust_are_an_input_error() -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid S3Bucket arguments"):
        S3Bucket("models", make())


def test_kms_key_conflicts_with_aes256() -> None:
    with pytest.raises(ValidationError, match="`kms_key_arn` needs `encryption` `aws:kms`"):
        make(encryption="AES256", kms_key_arn="arn:aws:kms:us-east-1:1:key/x")


def test_a_consumer_listed_twice_is_rejected() -> None:
    with pytest.raises(ValidationError, match="`consumers` lists a service account twice"):
        make(consumers=(LOADER, LOADER))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("ab", "it must be 3 to 63 characters, got 2"),
        ("a" * 64, "it must be 3 to 63 characters, got 64"),
        ("Models", "use lowercase letters, digits, '.' and '-'"),
        ("models_1", "use lowercase letters, digits, '.' and '-'"),
        ("-models", "use lowercase letters, digits, '.' and '-'"),
        ("models.", "use lowercase letters, digits, '.' and '-'"),
        ("my..models", "it must not contain '..'"),
        ("192.168.5.4", "it must not look like an IP address"),
        ("xn--models", "the prefix `xn--` is reserved"),
        ("sthree-models", "the prefix `sthree-` is reserved"),
        ("models-s3alias", "the suffix `-s3alias` is reserved"),
        ("models--ol-s3", "the suffix `--ol-s3` is reserved"),
    ],
)
def test_bucket_names_follow_the_s3_rules(name: str, problem: str) -> None:
    found = bucket_name_problem(name)
    assert found is not None and problem in found, found
    with pytest.raises(ValidationError, match="is not a valid S3 bucket name"):
        make(bucket=name)


@pytest.mark.parametrize("name", ["abc", "acme-llm-models", "logs.example.com", "a" * 63])
def test_valid_bucket_names(name: str) -> None:
    assert bucket_name_problem(name) is None


def test_pure_trust_policy_for_one_account() -> None:
    document = json.loads(consumers_trust_policy(PROVIDER_ARN, ISSUER, [LOADER]))
    condition = document["Statement"][0]["Condition"]["StringEquals"]
    assert condition["oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub"] == [
        "system:serviceaccount:llm:model-loader"
    ]


def test_pure_access_policy_without_kms() -> None:
    document = json.loads(bucket_access_policy("arn:aws:s3:::b", "AES256", ""))
    assert [s["Action"] for s in document["Statement"]] == [
        ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
        ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
    ]
