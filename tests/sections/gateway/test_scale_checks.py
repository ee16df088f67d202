"""The gateway's rules at scale, reported as `FILE:LINE:COL: field.path: message`: limits
every replica would count alone, key limits without a key store, hosted models, keys,
response caching and request logs."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shipyard.blueprint import load_blueprint
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "bp.yaml"
at = partial(located_at, FILE)
problems = partial(load_problems, FILE)
load = partial(load_text, FILE)

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: scale, environment: dev}
spec:
  cluster: {kind: local}
  namespace: llm
  nodePools:
    - name: gpu
      gpu: {type: nvidia-a10g, count: 1}
      size: {min: 1, max: 2}
  models:
    - name: mistral
      model: mistralai/Mistral-7B-Instruct-v0.3
      servedModelName: mistral-7b
      nodePool: gpu
      maxModelLen: 8192
  postgres:
    storage: {size: 10Gi}
"""
CACHE = """\
  cache:
    provider: valkey
    storage: {size: 1Gi}
"""


def gateway(body: str) -> str:
    return BASE + "  gateway:\n" + body


def test_limits_on_three_replicas_without_a_cache_name_the_multiplied_limit(
    tmp_path: Path,
) -> None:
    text = gateway(
        "    replicas: 3\n    routes:\n      - model: mistral\n        limits: {rpm: 3000}\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 3')}: spec.gateway.replicas: with 3 replicas and no "
        "`spec.cache`, every process counts limits on its own: `rpm: 3000` of model "
        "`mistral-7b` lets up to 9000 rpm through; declare `spec.cache` so they share one "
        "count (or run one replica with one worker)"
    ]
    assert load(tmp_path, text + CACHE).spec.cache is not None


def test_workers_multiply_too(tmp_path: Path) -> None:
    text = gateway(
        "    replicas: 1\n"
        "    workers: 4\n"
        "    hostedModels:\n"
        "      - {name: gpt-4o, provider: openai, model: gpt-4o,\n"
        "         credentialSecret: {name: openai, key: api-key}, limits: {tpm: 1000}}\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'workers: 4')}: spec.gateway.workers: with 1 replica x 4 workers and no "
        "`spec.cache`, every process counts limits on its own: `tpm: 1000` of hosted model "
        "`gpt-4o` lets up to 4000 tpm through; declare `spec.cache` so they share one count "
        "(or run one replica with one worker)"
    ]


def test_one_replica_with_one_worker_needs_no_cache(tmp_path: Path) -> None:
    text = gateway("    replicas: 1\n    routes:\n      - {model: mistral, limits: {rpm: 60}}\n")
    assert load(tmp_path, text).spec.cache is None


def test_key_limits_and_keys_need_a_key_store(tmp_path: Path) -> None:
    text = gateway("    replicas: 1\n    keyLimits: {rpm: 60}\n    keys:\n      - name: bot\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'keyLimits')}: spec.gateway.keyLimits: `keyLimits` limit virtual keys, and "
        "without a key store no virtual key can exist; add `virtualKeys: {}` (keys in "
        "`spec.postgres`) or remove `keyLimits`",
        f"{at(text, 'keys:')}: spec.gateway.keys: app keys are virtual keys and need a key "
        "store; add `virtualKeys: {}` (keys in `spec.postgres`)",
    ]
    fixed = text.replace("    keys:\n", "    virtualKeys: {}\n    keys:\n")
    platform = load(tmp_path, fixed)
    assert platform.spec.gateway is not None and platform.spec.gateway.keys[0].name == "bot"


def test_app_keys_name_known_models_once(tmp_path: Path) -> None:
    text = gateway(
        "    replicas: 1\n    virtualKeys: {}\n    keys:\n"
        "      - {name: bot, models: [mistrall]}\n      - {name: bot}\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: bot, models')}: spec.gateway.keys[0].name: `bot` has more than one "
        "key; merge them",
        f"{at(text, 'mistrall')}: spec.gateway.keys[0].models[0]: no model named `mistrall` "
        "(did you mean `mistral`?)",
        f"{at(text, 'name: bot}')}: spec.gateway.keys[1].name: `bot` has more than one key; "
        "merge them",
    ]


HOSTED = """\
    replicas: 1
    routes:
      - model: mistral
        fallbacks: [gpt-4o]
    hostedModels:
      - name: gpt-4o
        provider: openai
        model: gpt-4o
        credentialSecret: {name: openai, key: api-key}
"""


def test_a_private_model_falls_back_to_a_hosted_one(tmp_path: Path) -> None:
    platform = load(tmp_path, gateway(HOSTED))
    assert platform.spec.gateway is not None
    assert platform.spec.gateway.hosted_models[0].provider == "openai"


def test_fallbacks_that_go_round_in_a_cycle(tmp_path: Path) -> None:
    text = gateway(HOSTED + "        fallbacks: [mistral]\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'fallbacks: [gpt-4o]')}: spec.gateway.routes[0].fallbacks: fallbacks go "
        "round in a cycle: mistral -> gpt-4o -> mistral; a failing request would bounce "
        "between them; end the chain at a model without fallbacks"
    ]


def test_hosted_models_need_their_providers_settings(tmp_path: Path) -> None:
    text = gateway(
        "    replicas: 1\n    hostedModels:\n"
        "      - {name: gpt, provider: azure, model: gpt-4o}\n"
        "      - {name: mistral-7b, provider: openaiCompatible, model: m,\n"
        "         apiBase: 'http://10.0.0.5:8080/v1', credentialSecret: {name: k}}\n"
        "      - {name: claude, provider: bedrock, model: anthropic.claude}\n"
    )
    first, third = (at(text, needle) for needle in ("{name: gpt,", "{name: claude"))
    assert problems(tmp_path, text) == [
        f"{first}: spec.gateway.hostedModels[0].apiBase: an Azure OpenAI model needs its base URL",
        f"{first}: spec.gateway.hostedModels[0].apiVersion: an Azure OpenAI model needs its API "
        "version",
        f"{first}: spec.gateway.hostedModels[0].credentialSecret: an Azure OpenAI model needs "
        "the Secret with its API key",
        f"{at(text, 'name: mistral-7b')}: spec.gateway.hostedModels[1].name: `mistral-7b` is "
        "already a declared model's name",
        f"{at(text, 'apiBase')}: spec.gateway.hostedModels[1].apiBase: `http://10.0.0.5:8080/v1` "
        "is not an https URL; hosted models are reached over TLS on port 443",
        f"{third}: spec.gateway.hostedModels[2].region: a Bedrock model needs its AWS region",
    ]


def test_a_hosted_api_base_on_another_port_is_refused(tmp_path: Path) -> None:
    text = gateway(
        "    replicas: 1\n    hostedModels:\n"
        "      - {name: local-llm, provider: openaiCompatible, model: m,\n"
        "         apiBase: 'https://llm.example.com:8443/v1', credentialSecret: {name: k}}\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'apiBase')}: spec.gateway.hostedModels[0].apiBase: "
        "`https://llm.example.com:8443/v1` uses port 8443; the gateway's NetworkPolicy admits "
        "egress to public addresses on port 443 only"
    ]


def test_response_caching_needs_the_cache(tmp_path: Path) -> None:
    text = gateway("    replicas: 1\n    responseCache: {ttlSeconds: 60}\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'responseCache')}: spec.gateway.responseCache: response caching keeps "
        "answers in `spec.cache`; declare it"
    ]
    assert load(tmp_path, text + CACHE).spec.cache is not None


def test_request_logs_need_the_object_stores_s3_bucket_and_its_trust(tmp_path: Path) -> None:
    portkey = Path(__file__).resolve().parents[3] / "blueprints" / "examples" / "portkey.yaml"
    text = portkey.read_text()
    assert load_blueprint(portkey).spec.gateway is not None
    untrusted = text.replace("      - name: ai-gateway\n", "")
    assert problems(tmp_path, untrusted) == [
        f"{at(untrusted, 'bucket: acme-portkey-raw-logs', 0)}: "
        "spec.gateway.requestLogs.bucket: the gateway writes as its service account "
        "`ai-gateway`; add `{name: ai-gateway}` to `spec.objectStore.consumers`"
    ]
    elsewhere = text.replace(
        "      bucket: acme-portkey-raw-logs\n      path", "      bucket: other\n      path"
    )
    assert problems(tmp_path, elsewhere) == [
        f"{at(elsewhere, 'bucket: other')}: spec.gateway.requestLogs.bucket: `other` is not "
        "`spec.objectStore.bucket` (`acme-portkey-raw-logs`)"
    ]
