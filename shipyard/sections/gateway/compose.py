"""The AI gateway in front of every model."""

from __future__ import annotations

from components.gateway.component import AiGateway
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.gateway.args import gateway_args


def compose_gateway(platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs) -> None:
    spec = platform.spec.gateway
    args = gateway_args(platform)
    if spec is None or args is None:
        return
    # After the models (it routes to their Services or routers), ClickHouse (it logs as the user
    # whose Secret that creates), the cache (its password Secret and CA) and the bucket
    # (its request logs' IRSA role).
    bucket = composed.object_store if args.request_logs is not None else None
    composed.gateway = AiGateway(
        spec.name,
        args,
        opts=composed.in_namespace(
            *composed.models.values(),
            *composed.routers.values(),
            composed.analytics,
            composed.cache,
        ),
        master_key=inputs.gateway_master_key,
        request_logs_role_arn=bucket.role_arn if bucket is not None else None,
        credentials=inputs.credentials,
    )
