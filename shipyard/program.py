"""The Pulumi program behind `stacks/__main__.py`: blueprint in, resources out."""

from __future__ import annotations

from pathlib import Path

import pulumi

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.compose import compose_platform, stack_outputs

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
    for name, value in stack_outputs(composed).items():
        pulumi.export(name, value)


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
