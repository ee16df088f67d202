"""Per-app virtual keys: one generated key per app, in a Secret of its own, registered in
LiteLLM by a Job named after a hash of what it declares (pure).

An app gets its key's Secret (`app_key_secret_name`), never the master key. The Job
(`key_sync.py`, shipped in a ConfigMap) registers every declared key with its limits and
models and revokes every key Shipyard created that is no longer declared, so removing an
app's key revokes it. Jobs are immutable: a change to the declared keys gives the Job a
new name, which Pulumi turns into a replacement that runs again.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from components.gateway.limits import Limits
from components.shared.args import ComponentArgs
from components.shared.names import Dns1123Label

Manifest = dict[str, Any]

KEY_SYNC_SCRIPT = Path(__file__).with_name("key_sync.py")
KEY_SYNC_DIR = "/etc/shipyard-keys"
KEY_SYNC_FILE = "key_sync.py"
ALIAS_PREFIX = "shipyard-app-"
APP_KEY_SECRET_KEY = "api-key"
APP_BASE_URL_SECRET_KEY = "base-url"
APP_KEY_LENGTH = 40
APP_KEY_PREFIX = "sk-"
HASH_LENGTH = 10
KEYS_COMPONENT = "key-sync"
BACKOFF_LIMIT = 6
DEADLINE_SECONDS = 1800
_ENV_UNSAFE = re.compile(r"[^A-Z0-9]")


class AppKey(ComponentArgs):
    """An app's own virtual key: its limits and the models it may call."""

    app: Annotated[Dns1123Label, Field(description="The app's name; names its Secret.")]
    limits: Annotated[Limits, Field(description="Its rpm/tpm; none: the key limits.")] = Limits()
    models: Annotated[
        tuple[str, ...], Field(description="Served names it may call; none: every model.")
    ] = ()


def key_alias(app: str) -> str:
    """The alias LiteLLM keeps the app's key under."""
    return f"{ALIAS_PREFIX}{app}"


def app_key_secret_name(gateway: str, app: str) -> str:
    """The Secret with the app's key (`api-key`) and the gateway's URL (`base-url`)."""
    return f"{gateway}-{app}-key"


def app_key_env(app: str) -> str:
    """The variable the key Job reads the app's key value from."""
    return f"APP_KEY_{_ENV_UNSAFE.sub('_', app.upper())}"


def key_sync_config_map_name(gateway: str) -> str:
    return f"{gateway}-key-sync"


def declared_keys(keys: tuple[AppKey, ...], key_limits: Limits) -> list[dict[str, Any]]:
    """What the Job registers, without the key values (`SHIPYARD_APP_KEYS`). An app's
    limit it leaves out is the gateway's key limit."""
    return [
        {
            "alias": key_alias(key.app),
            "env": app_key_env(key.app),
            "models": list(key.models),
            "rpm_limit": key.limits.rpm or key_limits.rpm,
            "tpm_limit": key.limits.tpm or key_limits.tpm,
        }
        for key in sorted(keys, key=lambda key: key.app)
    ]


def render_key_sync_config_map(gateway: str, namespace: str, labels: dict[str, str]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": key_sync_config_map_name(gateway),
            "namespace": namespace,
            "labels": labels,
        },
        "data": {KEY_SYNC_FILE: KEY_SYNC_SCRIPT.read_text()},
    }


def _secret_env(env: str, secret: str, key: str) -> Manifest:
    return {"name": env, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def key_job_env(
    gateway: str,
    gateway_url: str,
    master_key: tuple[str, str],
    keys: tuple[AppKey, ...],
    key_limits: Limits,
) -> list[Manifest]:
    """The Job's environment: the gateway, the master key and every app's key value, each
    from its Secret; `master_key` is `(secret name, key)`."""
    env: list[Manifest] = [
        {"name": "GATEWAY_URL", "value": gateway_url},
        _secret_env("LITELLM_MASTER_KEY", *master_key),
        {
            "name": "SHIPYARD_APP_KEYS",
            "value": json.dumps(declared_keys(keys, key_limits), sort_keys=True),
        },
    ]
    for key in sorted(keys, key=lambda key: key.app):
        env.append(
            _secret_env(
                app_key_env(key.app), app_key_secret_name(gateway, key.app), APP_KEY_SECRET_KEY
            )
        )
    return env


def spec_hash(spec: Manifest) -> str:
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def render_key_job(
    gateway: str,
    namespace: str,
    labels: dict[str, str],
    container: Manifest,
    pod_security: Manifest,
) -> Manifest:
    """The Job `<gateway>-keys-<hash>` running `key_sync.py` in `container` (the gateway's
    image, with `key_job_env`). The hash covers the script too, so a new Shipyard release
    that changes it runs it again. No `ttlSecondsAfterFinished`: a Job that deletes itself
    would be re-created by the next `pulumi up`."""
    job_container = {
        **container,
        "command": ["python3", f"{KEY_SYNC_DIR}/{KEY_SYNC_FILE}"],
        "volumeMounts": [{"name": "key-sync", "mountPath": KEY_SYNC_DIR, "readOnly": True}],
    }
    spec: Manifest = {
        "backoffLimit": BACKOFF_LIMIT,
        "activeDeadlineSeconds": DEADLINE_SECONDS,
        "template": {
            "metadata": {
                "labels": labels,
                "annotations": {
                    "shipyard.dev/script-sha256": hashlib.sha256(
                        KEY_SYNC_SCRIPT.read_bytes()
                    ).hexdigest()
                },
            },
            "spec": {
                "restartPolicy": "Never",
                "automountServiceAccountToken": False,
                "securityContext": pod_security,
                "containers": [job_container],
                "volumes": [
                    {"name": "key-sync", "configMap": {"name": key_sync_config_map_name(gateway)}}
                ],
            },
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{gateway}-keys-{spec_hash(spec)}",
            "namespace": namespace,
            "labels": labels,
        },
        "spec": spec,
    }
