"""The key Job and its ConfigMap for a gateway's Args (pure): `keys.py`'s renderers fed
with the gateway's image, Service and master key."""

from __future__ import annotations

from typing import Any

from components.gateway.args import GATEWAY_PORT, MASTER_KEY_SECRET_KEY, RUN_AS_USER, GatewayArgs
from components.gateway.keys import (
    KEYS_COMPONENT,
    key_job_env,
    render_key_job,
    render_key_sync_config_map,
)
from components.gateway.manifests import master_key_secret_name
from components.shared.labels import recommended_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)

Manifest = dict[str, Any]


def key_job_labels(name: str) -> dict[str, str]:
    return recommended_labels("litellm", name, KEYS_COMPONENT)


def gateway_base_url(name: str, namespace: str) -> str:
    """The gateway's in-cluster root (the key API is not under `/v1`)."""
    return f"http://{name}.{namespace}.svc.cluster.local:{GATEWAY_PORT}"


def render_key_sync(name: str, args: GatewayArgs) -> tuple[Manifest, Manifest] | None:
    """`(ConfigMap, Job)` that register the app keys and revoke removed ones; None without
    a key store. With a key store the Job is rendered even for no app keys, so removing
    the last one revokes it too."""
    if args.virtual_keys is None or not args.authentication:
        return None
    labels = key_job_labels(name)
    container: Manifest = {
        "name": "key-sync",
        "image": args.image,
        "env": key_job_env(
            name,
            gateway_base_url(name, args.namespace),
            (master_key_secret_name(name), MASTER_KEY_SECRET_KEY),
            args.app_keys,
            args.key_limits,
        ),
        "resources": {
            "requests": {"cpu": "50m", "memory": "64Mi"},
            "limits": {"memory": "128Mi"},
        },
        "securityContext": restricted_container_security_context(RUN_AS_USER),
    }
    config_map = render_key_sync_config_map(name, args.namespace, labels)
    job = render_key_job(
        name, args.namespace, labels, container, restricted_pod_security_context(RUN_AS_USER)
    )
    return config_map, job
