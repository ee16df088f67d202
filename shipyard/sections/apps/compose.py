"""The platform's own services, after the sections they bind to (their roles, users and
Secrets exist first)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.app.component import AppService
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.apps.args import app_service_args
from shipyard.sections.apps.model import AppSpec

IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


def _annotations(composed: ComposedPlatform, app: AppSpec) -> Mapping[str, pulumi.Input[str]]:
    """An S3 binding's IRSA role on the app's ServiceAccount."""
    bucket = composed.object_store
    if bucket is None or app.name not in bucket.app_role_arns:
        return {}
    return {IRSA_ROLE_ANNOTATION: bucket.app_role_arns[app.name]}


def compose_apps(platform: Platform, composed: ComposedPlatform) -> None:
    depends = (
        composed.postgres,
        composed.events,
        composed.minio,
        composed.analytics,
        composed.gateway,
    )
    for app in platform.spec.apps:
        composed.apps[app.name] = AppService(
            app.name,
            app_service_args(platform, app),
            opts=composed.in_namespace(*depends),
            service_account_annotations=_annotations(composed, app),
        )
