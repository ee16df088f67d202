"""`S3Bucket`: an encrypted, versioned, private S3 bucket, and an IRSA role for its consumers.

bucket = S3Bucket("models", S3BucketArgs(bucket="acme-llm-models",
                  consumers=(ServiceAccount(namespace="llm", name="ray-worker"),)),
                  trust=OidcTrust(cluster.oidc_provider_arn, cluster.oidc_issuer_url))
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.s3.args import AppAccess, S3BucketArgs, ServiceAccount
from components.s3.config import (
    bucket_access_policy,
    consumers_trust_policy,
)

__all__ = ["AppAccess", "OidcTrust", "S3Bucket", "S3BucketArgs", "ServiceAccount"]

TYPE_TOKEN = "shipyard:aws:S3Bucket"
_Sse = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs


@dataclass(frozen=True)
class OidcTrust:
    """The cluster's IAM OIDC provider, from `EksCluster` outputs."""

    provider_arn: pulumi.Input[str]
    issuer_url: pulumi.Input[str]


class S3Bucket(pulumi.ComponentResource):
    """The bucket with SSE, versioning, a full public access block and owner-enforced
    object ownership; protected from deletion unless `allow_data_loss`."""

    bucket_name: pulumi.Output[str]
    """The bucket's name."""
    bucket_arn: pulumi.Output[str]
    """The bucket's ARN."""
    role_arn: pulumi.Output[str | None]
    """The IRSA role the consumers annotate their service accounts with; None without
    consumers."""
    app_role_arns: dict[str, pulumi.Output[str]]
    """Service account name -> the IRSA role of that app alone (`app_access`)."""

    def __init__(
        self,
        name: str,
        args: S3BucketArgs,
        *,
        trust: OidcTrust | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if (args.consumers or args.app_access) and trust is None:
            raise pulumi.InputPropertiesError(
                "Invalid S3Bucket arguments",
                [
                    {
                        "property_path": "consumers",
                        "reason": "consumers need `trust`: the cluster's OIDC provider for IRSA",
                    }
                ],
            )
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Data and the key that decrypts it go together.
        holds_data = pulumi.ResourceOptions(parent=self, protect=not args.allow_data_loss)
        tags = {**args.tags, "shipyard.dev/bucket": args.bucket}

        key_arn: pulumi.Input[str] | None = args.kms_key_arn
        if args.encryption == "aws:kms" and key_arn is None:
            key = aws.kms.Key(
                f"{name}-bucket",
                description=f"S3 encryption for {args.bucket}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=tags,
                opts=holds_data,
            )
            key_arn = key.arn
        bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket,
            force_destroy=args.allow_data_loss,
            tags=tags,
            opts=holds_data,
        )
        aws.s3.BucketOwnershipControls(
            name,
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        # All four on: no ACL or bucket policy can make the bucket or its objects public.
        aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketVersioning(
            name,
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=_Sse(
                        sse_algorithm=args.encryption,
                        kms_master_key_id=key_arn if args.encryption == "aws:kms" else None,
                    ),
                    bucket_key_enabled=args.encryption == "aws:kms",
                )
            ],
            opts=child,
        )

        role_arn: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        if trust is not None and args.consumers:
            consumers = args.consumers
            role = aws.iam.Role(
                f"{name}-consumers",
                assume_role_policy=pulumi.Output.all(trust.provider_arn, trust.issuer_url).apply(
                    lambda values: consumers_trust_policy(values[0], values[1], consumers)
                ),
                tags=tags,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-access",
                role=role.id,
                policy=pulumi.Output.all(bucket.arn, key_arn).apply(
                    lambda values: bucket_access_policy(
                        values[0] or "", args.encryption, values[1] or ""
                    )
                ),
                opts=child,
            )
            role_arn = role.arn

        self.app_role_arns = {}
        if trust is not None:
            for access in args.app_access:
                role = self._app_role(name, args, access, trust, bucket, key_arn, tags)
                self.app_role_arns[access.service_account.name] = role.arn

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.role_arn = role_arn
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "role_arn": self.role_arn,
                "app_role_arns": self.app_role_arns,
            }
        )

    def _app_role(
        self,
        name: str,
        args: S3BucketArgs,
        access: AppAccess,
        trust: OidcTrust,
        bucket: aws.s3.Bucket,
        key_arn: pulumi.Input[str] | None,
        tags: dict[str, str],
    ) -> aws.iam.Role:
        """A role only `access.service_account` may assume, allowed only its access."""
        child = pulumi.ResourceOptions(parent=self)
        account = access.service_account
        role = aws.iam.Role(
            f"{name}-app-{account.name}",
            assume_role_policy=pulumi.Output.all(trust.provider_arn, trust.issuer_url).apply(
                lambda values: consumers_trust_policy(values[0], values[1], (account,))
            ),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-app-{account.name}",
            role=role.id,
            policy=pulumi.Output.all(bucket.arn, key_arn).apply(
                lambda values: bucket_access_policy(
                    values[0] or "", args.encryption, values[1] or "", write=access.write
                )
            ),
            opts=child,
        )
        return role
