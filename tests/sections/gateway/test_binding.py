"""Apps bound to the gateway get one key each, minted once: the gateway component's Secret
`<gateway>-<app>-key` (`api-key`, `base-url`) and its key Job, which registers exactly the
bound apps' keys (plus `spec.gateway.keys`) with their limits, and revokes the rest."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from components.app.manifests import render_pod_spec
from components.gateway.key_job import render_key_sync
from components.gateway.keys import AppKey
from components.gateway.limits import Limits
from shipyard.blueprint import load_blueprint
from shipyard.sections.apps.args import app_service_args
from shipyard.sections.apps.summary import summarize_apps
from shipyard.sections.gateway.args import gateway_args
from tests.blueprint.located import load_problems, load_text, located_at

ROOT = Path(__file__).resolve().parents[3]
FILE = "gateway-apps.yaml"
BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: local}
  namespace: acme
  nodePools:
    - name: gpu
      gpu: {type: nvidia-a10g, count: 1}
      size: {min: 1, max: 2}
  models:
    - name: small
      model: mistralai/Mistral-7B-Instruct-v0.3
      servedModelName: mistral-7b
      nodePool: gpu
      maxModelLen: 8192
  postgres:
    instances: 1
    storage: {size: 10Gi}
    database: acme
    owner: acme
  gateway:
    replicas: 1
    keyLimits: {rpm: 100}
    virtualKeys: {}
    keys:
      - {name: outside-bot, limits: {rpm: 5}}
  apps:
    - name: backend
      image: registry.example.com/acme/backend:1.4.2
      uses:
        - kind: gateway
          limits: {rpm: 600, tpm: 90000}
          models: [small]
    - name: worker
      image: registry.example.com/acme/worker:1.4.2
      uses:
        - kind: gateway
"""
load = partial(load_text, FILE)
at = partial(located_at, FILE)
problems = partial(load_problems, FILE)


def _job_keys(args: object) -> list[dict[str, object]]:
    rendered = render_key_sync("ai-gateway", args)  # type: ignore[arg-type]
    assert rendered is not None
    _, job = rendered
    [container] = job["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container["env"]}
    keys: list[dict[str, object]] = json.loads(env["SHIPYARD_APP_KEYS"]["value"])
    # Every key value comes from the app's own Secret, the master key from the gateway's.
    for key in keys:
        assert env[str(key["env"])]["valueFrom"]["secretKeyRef"]["key"] == "api-key"
    assert env["LITELLM_MASTER_KEY"]["valueFrom"]["secretKeyRef"]["name"] == (
        "ai-gateway-master-key"
    )
    return keys


def test_each_bound_app_gets_a_key_with_its_limits_and_models(tmp_path: Path) -> None:
    args = gateway_args(load(tmp_path, BASE))
    assert args is not None
    assert args.app_keys == (
        AppKey(app="backend", limits=Limits(rpm=600, tpm=90000), models=("mistral-7b",)),
        AppKey(app="worker"),
        AppKey(app="outside-bot", limits=Limits(rpm=5)),
    )
    assert _job_keys(args) == [
        {
            "alias": "shipyard-app-backend",
            "env": "APP_KEY_BACKEND",
            "models": ["mistral-7b"],
            "rpm_limit": 600,
            "tpm_limit": 90000,
        },
        {
            "alias": "shipyard-app-outside-bot",
            "env": "APP_KEY_OUTSIDE_BOT",
            "models": [],
            "rpm_limit": 5,
            "tpm_limit": None,
        },
        # No limits of its own: the gateway's `keyLimits`.
        {
            "alias": "shipyard-app-worker",
            "env": "APP_KEY_WORKER",
            "models": [],
            "rpm_limit": 100,
            "tpm_limit": None,
        },
    ]


def test_the_app_reads_key_and_url_from_the_one_secret(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    backend = app_service_args(platform, platform.spec.apps[0])
    [binding] = backend.bindings
    assert [(v.key, v.secret.name, v.secret.key) for v in binding.values if v.secret] == [
        ("url", "ai-gateway-backend-key", "base-url"),
        ("api-key", "ai-gateway-backend-key", "api-key"),
    ]
    assert binding.aliases == {"OPENAI_BASE_URL": "url", "OPENAI_API_KEY": "api-key"}
    assert all("master" not in v.secret.name for v in binding.values if v.secret)


def test_removing_a_binding_leaves_its_key_out_of_the_job(tmp_path: Path) -> None:
    before = gateway_args(load(tmp_path, BASE))
    text = BASE.replace("      uses:\n        - kind: gateway\n", "", 1).replace(
        "          limits: {rpm: 600, tpm: 90000}\n          models: [small]\n", ""
    )
    after = gateway_args(load(tmp_path, text))
    assert before is not None and after is not None
    aliases = [key["alias"] for key in _job_keys(after)]
    # The Job revokes every `shipyard-app-` key it does not declare: backend's goes.
    assert aliases == ["shipyard-app-outside-bot", "shipyard-app-worker"]
    assert _job_keys(before) != _job_keys(after)
    first = render_key_sync("ai-gateway", before)
    second = render_key_sync("ai-gateway", after)
    assert first is not None and second is not None
    # A new hash-named Job, so Pulumi replaces it and it runs again.
    assert first[1]["metadata"]["name"] != second[1]["metadata"]["name"]


def test_without_authentication_only_the_url(tmp_path: Path) -> None:
    text = (
        BASE.replace(
            "    keyLimits: {rpm: 100}\n    virtualKeys: {}\n", "    authentication: false\n"
        )
        .replace("    keys:\n      - {name: outside-bot, limits: {rpm: 5}}\n", "")
        .replace("          limits: {rpm: 600, tpm: 90000}\n          models: [small]\n", "")
    )
    platform = load(tmp_path, text)
    args = gateway_args(platform)
    assert args is not None and args.app_keys == ()
    [binding] = app_service_args(platform, platform.spec.apps[0]).bindings
    assert [(v.key, v.value) for v in binding.values] == [
        ("url", "http://ai-gateway.acme.svc.cluster.local:4000/v1")
    ]


def test_a_key_for_an_app_is_declared_once(tmp_path: Path) -> None:
    text = BASE.replace("{name: outside-bot, limits: {rpm: 5}}", "{name: worker, limits: {rpm: 5}}")
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: worker, limits')}: spec.gateway.keys[0].name: `worker` is an app of "
        "`spec.apps`: bind it with `uses: [{kind: gateway}]` (its limits and models there) and "
        "remove this key, so it is declared once"
    ]


def test_binding_models_are_declared_ones(tmp_path: Path) -> None:
    text = BASE.replace("models: [small]", "models: [smal]")
    assert problems(tmp_path, text) == [
        f"{at(text, 'smal]')}: spec.apps[0].uses[0].models[0]: no model named `smal` "
        "(did you mean `small`?); declared: small"
    ]


def test_binding_limits_count_in_the_shared_limits_rule(tmp_path: Path) -> None:
    text = BASE.replace("    replicas: 1\n", "    replicas: 2\n", 1).replace(
        "    keyLimits: {rpm: 100}\n", ""
    )
    [problem] = problems(tmp_path, text)
    assert "the key of app `backend`" in problem
    assert "`rpm: 600` of the key of app `backend` lets up to 1200 rpm through" in problem


def test_plan_names_a_key_gained_and_its_limits_changed() -> None:
    before = {"spec": {"apps": [{"name": "api", "image": "r/api:1", "uses": []}]}}
    after = {
        "spec": {
            "apps": [
                {
                    "name": "api",
                    "image": "r/api:1",
                    "uses": [{"kind": "gateway", "limits": {"rpm": 60}, "models": ["small"]}],
                }
            ]
        }
    }
    assert summarize_apps(before, after) == ["app `api` gains a gateway key (rpm 60, models small)"]
    assert summarize_apps(after, before) == ["app `api` loses a gateway key (rpm 60, models small)"]


def test_portkey_exports_binds_instead_of_a_declared_key() -> None:
    platform = load_blueprint(ROOT / "blueprints" / "examples" / "portkey.yaml")
    args = gateway_args(platform)
    assert args is not None
    assert {key.app: key for key in args.app_keys}["exports"] == AppKey(
        app="exports", limits=Limits(rpm=60), models=("mistral-7b-instruct",)
    )
    assert platform.spec.gateway is not None and platform.spec.gateway.keys == []


def _secret_refs(node: object) -> set[tuple[str, str]]:
    """Every `(Secret, key)` a rendered pod spec reads: env refs and projected items."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        ref = node.get("secretKeyRef")
        if isinstance(ref, dict):
            found.add((ref["name"], ref["key"]))
        secret = node.get("secret")
        if isinstance(secret, dict) and "items" in secret:
            found |= {(secret["name"], item["key"]) for item in secret["items"]}
        for value in node.values():
            found |= _secret_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _secret_refs(value)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "blueprints" / "examples").glob("*.yaml")))
def test_no_example_app_reads_the_master_key(path: Path) -> None:
    platform = load_blueprint(path)
    gateway = platform.spec.gateway
    assert gateway is not None
    keyed = {key.app for key in (gateway_args(platform) or pytest.fail()).app_keys}
    for app in platform.spec.apps:
        pod = render_pod_spec(app.name, app_service_args(platform, app))
        refs = _secret_refs(pod)
        assert all(not name.endswith("-master-key") for name, _ in refs), app.name
        if any(use.kind == "gateway" for use in app.uses):
            secret = f"{gateway.name}-{app.name}-key"
            assert {(secret, "api-key"), (secret, "base-url")} <= refs, app.name
            assert app.name in keyed
