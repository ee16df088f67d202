"""Kafka on Strimzi: the cluster, its node pools, topics and users."""

from __future__ import annotations

from components.kafka.component import Kafka
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.events.args import events_args


def compose_events(platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs) -> None:
    spec = platform.spec.events
    args = events_args(platform)
    if spec is None or args is None:
        return
    # Apps' SCRAM passwords are generated (or given by resource name in `credentials`).
    composed.events = Kafka(
        spec.name, args, opts=composed.in_namespace(), credentials=inputs.credentials
    )
