"""PostgreSQL with pgvector, run by CloudNativePG."""

from __future__ import annotations

from components.postgres.component import Postgres
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.postgres.args import postgres_args


def compose_postgres(platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs) -> None:
    spec = platform.spec.postgres
    args = postgres_args(platform)
    if spec is None or args is None:
        return
    # Backups reach an S3 bucket through its IRSA role (the check requires the instances'
    # service account among the bucket's consumers), or MinIO through its Service, user
    # Secret and CA, so MinIO comes first.
    bucket = composed.object_store if args.backup is not None else None
    composed.postgres = Postgres(
        spec.name,
        args,
        opts=composed.in_namespace(composed.minio),
        owner_password=inputs.postgres_password,
        backup_role_arn=bucket.role_arn if bucket is not None else None,
        credentials=inputs.credentials,
    )
