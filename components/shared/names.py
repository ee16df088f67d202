"""Kubernetes name rules shared by every component's Args."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

DNS1123_LABEL_MAX = 63
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def dns1123_problem(value: str) -> str | None:
    """Why `value` is not a DNS-1123 label, or None when it is one."""
    if len(value) > DNS1123_LABEL_MAX:
        return f"must be at most {DNS1123_LABEL_MAX} characters, got {len(value)}"
    if not _DNS1123_LABEL.fullmatch(value):
        return (
            f"{value!r} is not a DNS-1123 label: use lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return None


def _check_dns1123(value: str) -> str:
    problem = dns1123_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Dns1123Label = Annotated[str, AfterValidator(_check_dns1123)]
"""A string that must be a valid Kubernetes object name (DNS-1123 label)."""


def service_name_problem(value: str) -> str | None:
    """Why `value` cannot name a Service (a DNS-1035 label), or None when it can."""
    problem = dns1123_problem(value)
    if problem is None and not value[0].isalpha():
        return f"{value!r} names a Service, so it must start with a letter (DNS-1035 label)"
    return problem


def require_component_name(kind: str, name: str, problem: str | None) -> None:
    """Raise the component-boundary error for an invalid resource name.

    Pulumi is imported here, not at module level: the blueprint validator imports
    this module and must not pay for loading the SDK."""
    if problem:
        import pulumi

        raise pulumi.InputPropertiesError(
            f"Invalid {kind} name", [{"property_path": "name", "reason": problem}]
        )


def _check_service_name(value: str) -> str:
    problem = service_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


ServiceName = Annotated[str, AfterValidator(_check_service_name)]
"""A name that also names a Service: a DNS-1123 label that starts with a letter."""


def image_problem(image: str) -> str | None:
    """Why `image` is not pinned, or None when it names a tag or digest."""
    if "@sha256:" in image:
        return None
    last_segment = image.rsplit("/", 1)[-1]
    if ":" not in last_segment:
        return f"{image!r} has no tag; pin a version tag or digest, never the implicit `latest`"
    if last_segment.rsplit(":", 1)[1] == "latest":
        return f"{image!r} uses `latest`; pin a version tag or digest"
    return None


def _check_image(value: str) -> str:
    problem = image_problem(value)
    if problem:
        raise ValueError(problem)
    return value


PinnedImage = Annotated[str, AfterValidator(_check_image)]
"""A container image reference pinned to a tag (not `latest`) or a digest."""
