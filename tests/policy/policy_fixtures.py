"""Helpers for rule tests: build resources and run one rule as the runners do."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from shipyard.policy import RULES_BY_NAME, Resource


def deployment(
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    namespace: str = "llm",
    name: str = "web",
) -> Resource:
    """A Deployment in wire format whose one container and pod spec comply with every rule."""
    spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
        "containers": [
            {
                "name": "web",
                "image": "registry.example/web:1.2.3",
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                "securityContext": {
                    "privileged": False,
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    }
    spec.update(copy.deepcopy(dict(pod or {})))
    spec["containers"][0].update(copy.deepcopy(dict(container or {})))
    return Resource(
        type="kubernetes:apps/v1:Deployment",
        name=name,
        urn=f"urn:pulumi:test::shipyard::kubernetes:apps/v1:Deployment::{name}",
        props={
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {}, "template": {"metadata": {}, "spec": spec}},
        },
    )


def resource(type_: str, name: str, props: Mapping[str, Any], **extra: Any) -> Resource:
    return Resource(
        type=type_,
        name=name,
        props=props,
        urn=f"urn:pulumi:test::shipyard::{type_}::{name}",
        **extra,
    )


def violations(rule: str, *resources: Resource, **config: Any) -> list[str]:
    """The messages `rule` reports over `resources`, with `config` over its defaults."""
    return [message for _, message in RULES_BY_NAME[rule].evaluate(resources, config)]


CONTAINER = 'spec.template.spec.containers[0] ("web")'
