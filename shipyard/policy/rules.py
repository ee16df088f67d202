"""Every Shipyard policy, in report order: one plain function each, two runners.

`policies/__main__.py` wraps each `Rule` in a `pulumi_policy` policy of the same name,
description and enforcement level; `shipyard.policy.runner` runs the same functions over
offline renders. Add a rule here and both runners pick it up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from shipyard.policy.model import PolicyConfig, Resource, Rule, StackCheck, Violation
from shipyard.policy.rules_data import (
    CostEstimate,
    monthly_cost_within_budget,
    s3_buckets_block_public_access,
    s3_buckets_encrypted,
    stateful_resources_protected,
)
from shipyard.policy.rules_hardening import (
    containers_disallow_privilege_escalation,
    helm_releases_pinned,
    images_pinned_by_digest,
    no_host_namespaces_or_paths,
    no_rbac_wildcards,
    service_account_tokens_not_automounted,
)
from shipyard.policy.rules_network import (
    eks_endpoint_restricted,
    namespaces_have_network_policies,
    public_endpoints_use_tls,
)
from shipyard.policy.rules_workloads import (
    DEFAULT_GPU_TAINT_KEY,
    containers_drop_all_capabilities,
    containers_run_as_non_root,
    containers_set_resource_requests,
    gpu_workloads_target_gpu_pools,
    no_plaintext_secrets,
    no_privileged_containers,
    pinned_images,
)

RULES: tuple[Rule, ...] = (
    Rule(
        "pinned-images",
        "Prohibits container images tagged `latest` or left untagged.",
        "mandatory",
        resource_check=pinned_images,
    ),
    Rule(
        "containers-run-as-non-root",
        "Requires every container to run as a non-root user.",
        "mandatory",
        resource_check=containers_run_as_non_root,
    ),
    Rule(
        "no-privileged-containers",
        "Prohibits privileged containers.",
        "mandatory",
        resource_check=no_privileged_containers,
    ),
    Rule(
        "containers-drop-all-capabilities",
        "Requires every container to drop ALL Linux capabilities.",
        "mandatory",
        resource_check=containers_drop_all_capabilities,
    ),
    Rule(
        "containers-disallow-privilege-escalation",
        "Requires securityContext.allowPrivilegeEscalation false on every container.",
        "mandatory",
        resource_check=containers_disallow_privilege_escalation,
    ),
    Rule(
        "no-host-namespaces-or-paths",
        "Prohibits hostNetwork, hostPID, hostIPC and hostPath volumes.",
        "mandatory",
        resource_check=no_host_namespaces_or_paths,
    ),
    Rule(
        "service-account-tokens-not-automounted",
        "Requires pods on the default ServiceAccount not to mount its token.",
        "advisory",
        resource_check=service_account_tokens_not_automounted,
    ),
    Rule(
        "no-rbac-wildcards",
        "Prohibits `*` in the apiGroups, resources, verbs and URLs of Roles and ClusterRoles.",
        "mandatory",
        resource_check=no_rbac_wildcards,
    ),
    Rule(
        "images-pinned-by-digest",
        "Requires container images pinned by `@sha256:` digest; turn it on per stack (prod).",
        # Off by default: the blueprints pin by tag, and advisory would add a line per image
        # to every plan comment. A stack's policy config makes it advisory or mandatory.
        "disabled",
        resource_check=images_pinned_by_digest,
    ),
    Rule(
        "helm-releases-pinned",
        "Requires every Helm release to pin its chart version (or use a local chart).",
        "mandatory",
        resource_check=helm_releases_pinned,
    ),
    Rule(
        "containers-set-resource-requests",
        "Requires CPU and memory requests on every container, and GPU limits where GPUs are used.",
        "mandatory",
        resource_check=containers_set_resource_requests,
    ),
    Rule(
        "gpu-workloads-target-gpu-pools",
        "Requires GPU workloads to tolerate the GPU taint and select a GPU node pool.",
        "advisory",
        resource_check=gpu_workloads_target_gpu_pools,
        config_schema={
            "gpuTaintKey": {
                "type": "string",
                "default": DEFAULT_GPU_TAINT_KEY,
                "description": f"Taint key of GPU nodes; default `{DEFAULT_GPU_TAINT_KEY}`.",
            }
        },
    ),
    Rule(
        "namespaces-have-network-policies",
        "Requires every workload's pods to be selected by an ingress NetworkPolicy.",
        "mandatory",
        stack_check=namespaces_have_network_policies,
    ),
    Rule(
        "public-endpoints-use-tls",
        "Requires TLS on publicly exposed LoadBalancer Services, Ingresses and HTTPRoutes.",
        "mandatory",
        stack_check=public_endpoints_use_tls,
    ),
    Rule(
        "eks-endpoint-restricted",
        "Prohibits a public EKS API endpoint without a CIDR allow-list.",
        "mandatory",
        resource_check=eks_endpoint_restricted,
    ),
    Rule(
        "s3-buckets-encrypted",
        "Requires server-side encryption on every S3 bucket.",
        "mandatory",
        stack_check=s3_buckets_encrypted,
    ),
    Rule(
        "s3-buckets-block-public-access",
        "Requires a public access block with all four settings on every S3 bucket.",
        "mandatory",
        stack_check=s3_buckets_block_public_access,
    ),
    Rule(
        "stateful-resources-protected",
        "Requires volumes, databases, Kafka, ClickHouse and buckets to be protected from deletion.",
        "mandatory",
        resource_check=stateful_resources_protected,
        config_schema={
            "allowDataLoss": {
                "type": "boolean",
                "default": False,
                "description": "Allow unprotected stateful resources in this stack; default false.",
            }
        },
    ),
    Rule(
        "no-plaintext-secrets",
        "Prohibits secret-looking literal values in container env vars and ConfigMaps.",
        "mandatory",
        resource_check=no_plaintext_secrets,
        config_schema={
            "allowedNames": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Env var and ConfigMap key names that look secret but are not.",
            }
        },
    ),
    Rule(
        "monthly-cost-within-budget",
        "Requires the stack's estimated monthly cost to stay within the configured budget.",
        "advisory",
        stack_check=monthly_cost_within_budget,
        config_schema={
            "monthlyBudgetUsd": {
                "type": "number",
                "minimum": 0,
                "description": "Monthly budget in US dollars; unset means no budget.",
            }
        },
    ),
)

RULES_BY_NAME = {rule.name: rule for rule in RULES}
BUDGET_RULE = "monthly-cost-within-budget"


def _budget_check(estimate: CostEstimate) -> StackCheck:
    def check(resources: Sequence[Resource], config: PolicyConfig) -> list[Violation]:
        return monthly_cost_within_budget(resources, config, estimate)

    return check


def rules_with_estimate(estimate: CostEstimate, rules: Sequence[Rule] = RULES) -> tuple[Rule, ...]:
    """`rules` with the budget rule checking `estimate`; name, level and settings unchanged."""
    return tuple(
        replace(rule, stack_check=_budget_check(estimate)) if rule.name == BUDGET_RULE else rule
        for rule in rules
    )
