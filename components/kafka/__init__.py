"""Apache Kafka: `Kafka`, a Strimzi cluster in KRaft mode with topics and users.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.kafka.args import (
    KafkaAcl,
    KafkaArgs,
    KafkaNodePoolArgs,
    KafkaTopicArgs,
    KafkaUserArgs,
    ListenerPeer,
    PasswordSecretRef,
)

if TYPE_CHECKING:
    from components.kafka.component import Kafka

_LAZY = {
    "Kafka": "components.kafka.component",
}

__all__ = [
    "Kafka",
    "KafkaAcl",
    "KafkaArgs",
    "KafkaNodePoolArgs",
    "KafkaTopicArgs",
    "KafkaUserArgs",
    "ListenerPeer",
    "PasswordSecretRef",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
