"""Container and pod rules: a violating and a compliant resource each, with exact messages."""

from __future__ import annotations

import pytest
from policy_fixtures import CONTAINER, deployment, resource, violations

from shipyard.policy.rules_workloads import looks_secret, secret_value_kind

PATH = "spec.template.spec.containers[0]"


def test_the_compliant_deployment_passes_every_workload_rule() -> None:
    for rule in (
        "pinned-images",
        "containers-run-as-non-root",
        "no-privileged-containers",
        "containers-drop-all-capabilities",
        "containers-set-resource-requests",
        "gpu-workloads-target-gpu-pools",
        "no-plaintext-secrets",
    ):
        assert violations(rule, deployment()) == [], rule


# --- pinned-images -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("vllm/vllm-openai:latest", "uses the `latest` tag"),
        ("vllm/vllm-openai", "has no tag and so means `latest`"),
        ("registry.example:5000/web", "has no tag and so means `latest`"),
    ],
)
def test_pinned_images_rejects_latest_and_untagged(image: str, problem: str) -> None:
    assert violations("pinned-images", deployment({"image": image})) == [
        f'{PATH}.image "{image}" {problem}; pin a version tag or a digest.'
    ]


@pytest.mark.parametrize(
    "image",
    ["vllm/vllm-openai:v0.8.5", "registry.example:5000/web:1.0", "web@sha256:" + "a" * 64],
)
def test_pinned_images_accepts_tags_and_digests(image: str) -> None:
    assert violations("pinned-images", deployment({"image": image})) == []


def test_pinned_images_checks_init_containers_and_cronjobs() -> None:
    cronjob = resource(
        "kubernetes:batch/v1:CronJob",
        "nightly",
        {
            "spec": {
                "jobTemplate": {
                    "spec": {
                        "template": {
                            "spec": {
                                "initContainers": [{"name": "init", "image": "busybox"}],
                                "containers": [{"name": "job", "image": "job:2"}],
                            }
                        }
                    }
                }
            }
        },
    )
    assert violations("pinned-images", cronjob) == [
        'spec.jobTemplate.spec.template.spec.initContainers[0].image "busybox" has no tag and '
        "so means `latest`; pin a version tag or a digest."
    ]


def test_pinned_images_checks_every_ray_group() -> None:
    ray = resource(
        "kubernetes:ray.io/v1:RayCluster",
        "ray",
        {
            "spec": {
                "headGroupSpec": {"template": {"spec": {"containers": [{"image": "ray:2.9"}]}}},
                "workerGroupSpecs": [
                    {"template": {"spec": {"containers": [{"image": "rayproject/ray:latest"}]}}}
                ],
            }
        },
    )
    assert violations("pinned-images", ray) == [
        'spec.workerGroupSpecs[0].template.spec.containers[0].image "rayproject/ray:latest" '
        "uses the `latest` tag; pin a version tag or a digest."
    ]


# --- containers-run-as-non-root ----------------------------------------------------------


def test_non_root_rejects_a_container_without_run_as_non_root() -> None:
    bare = deployment(pod={"securityContext": {}})
    assert violations("containers-run-as-non-root", bare) == [
        f"{CONTAINER} does not set securityContext.runAsNonRoot to true, in the container or "
        "the pod."
    ]


def test_non_root_rejects_run_as_user_0_even_with_run_as_non_root() -> None:
    root = deployment({"securityContext": {"runAsUser": 0, "capabilities": {"drop": ["ALL"]}}})
    assert violations("containers-run-as-non-root", root) == [
        f"{CONTAINER} sets securityContext.runAsUser to 0 (root); run as a non-zero user."
    ]


def test_non_root_container_setting_overrides_the_pod() -> None:
    overridden = deployment(
        {"securityContext": {"runAsNonRoot": False}}, pod={"securityContext": {}}
    )
    assert len(violations("containers-run-as-non-root", overridden)) == 1
    container_only = deployment(
        {"securityContext": {"runAsNonRoot": True}}, pod={"securityContext": {}}
    )
    assert violations("containers-run-as-non-root", container_only) == []


def test_non_root_accepts_a_non_zero_user_from_the_wire_as_a_float() -> None:
    user_only = deployment(pod={"securityContext": {"runAsUser": 1000.0}})
    assert violations("containers-run-as-non-root", user_only) == []


# --- no-privileged-containers ------------------------------------------------------------


def test_privileged_container_is_rejected() -> None:
    privileged = deployment({"securityContext": {"privileged": True}})
    assert violations("no-privileged-containers", privileged) == [
        f"{CONTAINER} sets securityContext.privileged to true; remove it."
    ]


# --- containers-drop-all-capabilities -----------------------------------------------------


def test_capabilities_must_drop_all() -> None:
    some = deployment({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}})
    assert violations("containers-drop-all-capabilities", some) == [
        f'{CONTAINER} does not list "ALL" in securityContext.capabilities.drop.'
    ]


# --- containers-set-resource-requests ----------------------------------------------------


def test_requests_must_name_cpu_and_memory() -> None:
    no_requests = deployment({"resources": {}})
    assert violations("containers-set-resource-requests", no_requests) == [
        f"{CONTAINER} does not set resources.requests.cpu.",
        f"{CONTAINER} does not set resources.requests.memory.",
    ]


def test_gpu_requests_need_a_gpu_limit() -> None:
    requests = {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"}
    no_limit = deployment({"resources": {"requests": requests}})
    assert violations("containers-set-resource-requests", no_limit) == [
        f'{CONTAINER} requests nvidia.com/gpu but does not set resources.limits["nvidia.com/gpu"].'
    ]
    limited = deployment({"resources": {"requests": requests, "limits": {"nvidia.com/gpu": "1"}}})
    assert violations("containers-set-resource-requests", limited) == []


# --- gpu-workloads-target-gpu-pools (advisory) --------------------------------------------

GPU = {
    "resources": {
        "requests": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"},
        "limits": {"nvidia.com/gpu": "1"},
    }
}
POOL = {
    "nodeSelector": {"shipyard.dev/pool": "gpu"},
    "tolerations": [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ],
}


def test_gpu_workload_without_toleration_or_selector_gets_two_messages() -> None:
    assert violations("gpu-workloads-target-gpu-pools", deployment(GPU)) == [
        'spec.template.spec.tolerations has no toleration for the GPU taint "nvidia.com/gpu", '
        "so the pod cannot schedule on tainted GPU nodes.",
        "spec.template.spec.nodeSelector is empty and no required node affinity is set, so "
        "nothing pins the GPU pod to a GPU node pool.",
    ]


def test_gpu_workload_on_a_gpu_pool_passes() -> None:
    assert violations("gpu-workloads-target-gpu-pools", deployment(GPU, pod=POOL)) == []


def test_gpu_taint_key_is_configurable() -> None:
    amd = violations("gpu-workloads-target-gpu-pools", deployment(GPU, pod=POOL), gpuTaintKey="amd")
    assert amd == [
        'spec.template.spec.tolerations has no toleration for the GPU taint "amd", so the pod '
        "cannot schedule on tainted GPU nodes."
    ]


def test_cpu_workloads_are_not_gpu_workloads() -> None:
    assert violations("gpu-workloads-target-gpu-pools", deployment()) == []


def test_gpu_rule_is_advisory() -> None:
    from shipyard.policy import RULES_BY_NAME

    assert RULES_BY_NAME["gpu-workloads-target-gpu-pools"].enforcement_level == "advisory"


# --- no-plaintext-secrets ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["DB_PASSWORD", "HF_TOKEN", "OPENAI_API_KEY", "apiKey", "AWS_SECRET_ACCESS_KEY"]
)
def test_secret_looking_names(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name", ["TOKENIZERS_PARALLELISM", "MAX_TOKENS", "HF_TOKEN_PATH", "KEY", "HF_HOME"]
)
def test_names_that_only_resemble_secrets(name: str) -> None:
    assert not looks_secret(name)


def test_literal_secret_env_value_is_rejected() -> None:
    env = [{"name": "HOME", "value": "/tmp"}, {"name": "MINIO_ROOT_PASSWORD", "value": "minio123"}]
    assert violations("no-plaintext-secrets", deployment({"env": env})) == [
        f'{PATH}.env[1] ("MINIO_ROOT_PASSWORD") sets a literal value; take it from a Secret '
        "with valueFrom.secretKeyRef."
    ]


def test_secret_env_from_a_secret_ref_passes() -> None:
    env = [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "token"}}}]
    assert violations("no-plaintext-secrets", deployment({"env": env})) == []


def test_allowed_names_are_skipped() -> None:
    env = [{"name": "OIDC_TOKEN_AUDIENCE", "value": "shipyard"}]
    assert len(violations("no-plaintext-secrets", deployment({"env": env}))) == 1
    allowed = violations(
        "no-plaintext-secrets", deployment({"env": env}), allowedNames=["OIDC_TOKEN_AUDIENCE"]
    )
    assert allowed == []


def test_secret_looking_configmap_keys_are_rejected() -> None:
    config_map = resource(
        "kubernetes:core/v1:ConfigMap",
        "clickhouse",
        {"data": {"users.xml": "<users/>", "CLICKHOUSE_PASSWORD": "default", "empty_token": ""}},
    )
    assert violations("no-plaintext-secrets", config_map) == [
        'data["CLICKHOUSE_PASSWORD"] looks like a secret in a ConfigMap; keep it in a Secret '
        "instead."
    ]


def test_configmap_without_secret_keys_passes() -> None:
    config_map = resource("kubernetes:core/v1:ConfigMap", "cfg", {"data": {"LOG_LEVEL": "info"}})
    assert violations("no-plaintext-secrets", config_map) == []


# Shapes of real credentials, made up for the test.
OPENAI_KEY = "sk-" + "a1B2" * 8
HF_TOKEN_VALUE = "hf_" + "x" * 34
AWS_KEY_ID = "AKIA" + "ABCDEFGH12345678"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (OPENAI_KEY, "an API key (`sk-...`)"),
        (f"Bearer {HF_TOKEN_VALUE}", "a Hugging Face token"),
        (AWS_KEY_ID, "an AWS access key id"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMII...", "a private key"),
        ("sk-short", None),
        ("/models/huggingface", None),
    ],
)
def test_secret_values_are_recognised_by_shape(value: str, kind: str | None) -> None:
    assert secret_value_kind(value) == kind


def test_a_credential_in_an_innocent_env_name_is_rejected() -> None:
    env = [{"name": "HF", "value": HF_TOKEN_VALUE}]
    assert violations("no-plaintext-secrets", deployment({"env": env})) == [
        f'{PATH}.env[0] ("HF") holds a Hugging Face token; take it from a Secret '
        "with valueFrom.secretKeyRef."
    ]


def test_a_credential_in_container_args_is_rejected() -> None:
    container = {"args": ["serve", "--api-key", OPENAI_KEY]}
    assert violations("no-plaintext-secrets", deployment(container)) == [
        f"{PATH}.args[2] holds an API key (`sk-...`); pass it through an env var from a Secret."
    ]


def test_a_credential_inside_a_configmap_file_is_rejected() -> None:
    config_map = resource(
        "kubernetes:core/v1:ConfigMap",
        "gateway-config",
        {"data": {"config.yaml": f"general_settings:\n  master_key: {OPENAI_KEY}\n"}},
    )
    assert violations("no-plaintext-secrets", config_map) == [
        'data["config.yaml"] holds an API key (`sk-...`) in a ConfigMap; keep it in a Secret '
        "instead."
    ]
