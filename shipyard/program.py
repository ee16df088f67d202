"""The Pulumi program behind `stacks/__main__.py`: blueprint in, resources out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import pulumi

from shipyard.blueprint import BlueprintError, Platform, load_blueprint
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


_PRELOADED: ContextVar[tuple[Path, Platform] | None] = ContextVar("preloaded", default=None)


@contextmanager
def preloaded_blueprint(path: Path, platform: Platform | None) -> Iterator[None]:
    """While inside, a program run for the blueprint at `path` (resolved) uses `platform`
    instead of loading the file again: `shipyard render` and `shipyard plan` have already
    loaded it to report its errors. A deploy never sets it."""
    token = _PRELOADED.set((path.resolve(), platform) if platform is not None else None)
    try:
        yield
    finally:
        _PRELOADED.reset(token)


def run_stack(project_root: Path) -> None:
    """Load the blueprint named by `shipyard:blueprint` and create its resources."""
    config = pulumi.Config(CONFIG_NAMESPACE)
    relative = config.require(BLUEPRINT_KEY)
    preloaded = _PRELOADED.get()
    if preloaded is not None and preloaded[0] == (project_root / relative).resolve():
        platform = preloaded[1]
    else:
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
