"""An app's `expose` turned into the component's exposure, under the gateway's rules (pure)."""

from __future__ import annotations

from components.app.args import AppExposure
from components.gateway import args as gateway
from shipyard.sections.apps.model import AppExposureSpec
from shipyard.sections.gateway.model import Exposure, exposure_args


def app_exposure(spec: AppExposureSpec) -> AppExposure:
    """The blueprint's `expose` as the gateway's exposure model plus the app's port and
    path, so both are held to one set of TLS and authentication rules."""
    shared: gateway.Exposure = exposure_args(
        Exposure(
            type=spec.type,
            host=spec.host,
            public=spec.public,
            ingress_class_name=spec.ingress_class_name,
            tls=spec.tls,
            parent_ref=spec.parent_ref,
            controller_namespace_labels=dict(spec.controller_namespace_labels),
        )
    )
    return AppExposure(
        exposure=shared, port=spec.port, path=spec.path, authenticated=spec.authenticated
    )
