"""The platform's own services: `AppService`, a Deployment, StatefulSet, Job or CronJob
with its ServiceAccount, Service, PDB, autoscaler, default-deny NetworkPolicy, exposure
and resolved bindings.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.app.args import (
    AppBinding,
    AppExposure,
    AppPort,
    AppResources,
    AppServiceArgs,
    Autoscaling,
    BindingValue,
    EnvVar,
    ExternalEgress,
    KafkaLagTrigger,
    NetworkPeer,
    Probe,
    Probes,
    PrometheusTrigger,
    VolumeClaim,
)

if TYPE_CHECKING:
    from components.app.component import AppService

_LAZY = {
    "AppService": "components.app.component",
}

__all__ = [
    "AppBinding",
    "AppExposure",
    "AppPort",
    "AppResources",
    "AppService",
    "AppServiceArgs",
    "Autoscaling",
    "BindingValue",
    "EnvVar",
    "ExternalEgress",
    "KafkaLagTrigger",
    "NetworkPeer",
    "Probe",
    "Probes",
    "PrometheusTrigger",
    "VolumeClaim",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
