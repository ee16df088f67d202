"""The Pulumi program behind `stacks/__main__.py`: blueprint in, resources out."""

from __future__ import annotations

from pathlib import Path

import pulumi

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.compose import compose_platform

CONFIG_NAMESPACE = "shipyard"
BLUEPRINT_KEY = "blueprint"
# Optional: bring your own gateway master key (`pulumi config set --secret`).
GATEWAY_MASTER_KEY = "gatewayMasterKey"
# Optional: bring your own Postgres owner password (`pulumi config set --secret`).
POSTGRES_PASSWORD = "postgresPassword"
# Optional: values for any other generated secret, by its resource name, e.g.
# `pulumi config set --secret --path 'shipyard:credentials.minio-root-password' ...`.
CREDENTIALS = "credentials"


def run_stack(project_root: Path) -> None:
    """Load the blueprint named by `shipyard:blueprint` and create its resources."""
    config = pulumi.Config(CONFIG_NAMESPACE)
    relative = config.require(BLUEPRINT_KEY)
    try:
        platform = load_blueprint(project_root / relative, name=relative)
    except BlueprintError as error:
        # RunError prints the message alone: a user error, not a crash.
        raise pulumi.RunError(f"the blueprint is invalid:\n{error}") from None
    composed = compose_platform(
        platform,
        gateway_master_key=config.get_secret(GATEWAY_MASTER_KEY),
        postgres_password=config.get_secret(POSTGRES_PASSWORD),
        credentials=given_credentials(config),
    )
    pulumi.export("namespace", composed.namespace.metadata.name)
    if composed.gateway is not None:
        pulumi.export("gateway", {"url": composed.gateway.url})
    if composed.object_store is not None:
        store = composed.object_store
        pulumi.export("objectStore", {"bucket": store.bucket_name, "roleArn": store.role_arn})
    if composed.postgres is not None:
        db = composed.postgres
        # Connection details only; the password stays in the Secret `secretName`.
        pulumi.export(
            "postgres",
            {
                "host": db.host,
                "port": db.port,
                "database": db.database,
                "secretName": db.secret_name,
            },
        )
    if composed.minio is not None:
        minio = composed.minio
        # Endpoint and Secret names; the keys stay in the Secrets.
        pulumi.export(
            "objectStore",
            {
                "endpoint": minio.endpoint,
                "buckets": minio.buckets,
                "tlsSecretName": minio.tls_secret_name,
                "userSecretNames": minio.user_secret_names,
            },
        )
    if composed.analytics is not None:
        clickhouse = composed.analytics
        pulumi.export(
            "analytics",
            {
                "host": clickhouse.host,
                "httpPort": clickhouse.http_port,
                "database": clickhouse.database,
                "userSecretNames": clickhouse.secret_names,
            },
        )
    if composed.events is not None:
        kafka = composed.events
        pulumi.export(
            "events",
            {
                "bootstrapServers": kafka.bootstrap_servers,
                "caSecretName": kafka.ca_secret_name,
                "authentication": kafka.authentication,
                "userSecretNames": kafka.user_secret_names,
            },
        )
    if composed.gitops is not None:
        pulumi.export("gitops", {"webhookUrl": composed.gitops.webhook_url})
    pulumi.export(
        "models",
        {
            name: {"url": service.url, "servedModelName": service.served_model_name}
            for name, service in composed.models.items()
        },
    )


def given_credentials(config: pulumi.Config) -> dict[str, pulumi.Output[str]]:
    """`shipyard:credentials` as secrets. The names must be known while the program runs
    (they decide whether a password is generated), so the object is read as plain config
    and each value wrapped as a secret straight away."""
    given = config.get_object(CREDENTIALS) or {}
    if not isinstance(given, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in given.items()
    ):
        raise pulumi.RunError(
            f"`{CONFIG_NAMESPACE}:{CREDENTIALS}` must map resource names to strings, e.g. "
            f"`pulumi config set --secret --path '{CONFIG_NAMESPACE}:{CREDENTIALS}.<name>' ...`"
        )
    return {key: pulumi.Output.secret(value) for key, value in given.items()}
