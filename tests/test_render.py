"""`render_blueprint` and `shipyard render --out`: the resource tree, and every object it
would create checked against the real upstream Kubernetes OpenAPI schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor
from ruamel.yaml import YAML

from components.eks.args import STORAGE_CLASS
from components.monitoring.manifests import render_objects
from components.shared.scheduling import GPU_RESOURCE
from shipyard.blueprint import Platform, load_blueprint
from shipyard.render import (
    COMPUTED_PLACEHOLDER,
    DeployTimeMocks,
    RecordingMonitor,
    RenderedResource,
    ResourceClasses,
    computed_placeholder,
    render_blueprint,
)
from shipyard.sections.cache.model import ValkeyCacheSpec
from shipyard.sections.cluster.eks import EksCluster
from shipyard.sections.models.placements import placements
from shipyard.sections.monitoring.args import monitoring_args
from shipyard.sections.node_pools.scheduling import pool_scheduling

# The newest Kubernetes version whose schema kubernetes-validate ships.
KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
TYPE_TOKEN = "shipyard:serving:VllmService"


@dataclass(frozen=True)
class Rendered:
    platform: Platform
    out: Path
    objects: dict[str, dict[str, Any]]  # file name -> manifest


def render_to(project_root: Path, blueprint: Path, out: Path) -> Rendered:
    """Run the installed `shipyard render BLUEPRINT --out DIR` and read back what it wrote."""
    # The console script installed beside the interpreter running the tests.
    shipyard = Path(sys.executable).parent / "shipyard"
    result = subprocess.run(
        [str(shipyard), "render", str(blueprint), "--out", str(out)],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    yaml = YAML(typ="safe", pure=True)
    objects = {path.name: yaml.load(path.read_text()) for path in sorted(out.glob("*.yaml"))}
    assert f"wrote {len(objects)} Kubernetes object(s) to {out}" in result.stderr
    return Rendered(load_blueprint(blueprint), out, objects)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """dev.yaml and prod.yaml rendered once for the whole module."""
    root = Path(__file__).resolve().parent.parent
    return {
        name: render_to(root, root / "blueprints" / f"{name}.yaml", tmp_path_factory.mktemp(name))
        for name in ("dev", "prod")
    }


# A model's router (`routing`): its account, pod-reading Role and the serving objects.
ROUTER_KINDS = (
    "serviceaccount",
    "role",
    "rolebinding",
    "deployment",
    "service",
    "poddisruptionbudget",
    "networkpolicy",
)


def expected_files(platform: Platform) -> set[str]:
    """The files `--out` should write: derived from the blueprint, not listed by hand."""
    namespace = platform.namespace
    files = {f"namespace-{namespace}.yaml"}
    for model in platform.spec.models:
        # One set of server objects per role with prefill/decode, else one for the model.
        servers = [f"{model.name}-{role}" for role in ("prefill", "decode")]
        for server in servers if model.roles is not None else [model.name]:
            for kind in ("deployment", "service", "networkpolicy", "poddisruptionbudget"):
                files.add(f"{kind}-{namespace}-{server}.yaml")
            if model.cache is not None:
                files.add(f"persistentvolumeclaim-{namespace}-{server}-model-cache.yaml")
        if model.autoscaling is not None:
            files.add(f"scaledobject-{namespace}-{model.name}.yaml")
        if model.routing is not None:
            router = f"{model.name}-router"
            for kind in ROUTER_KINDS:
                files.add(f"{kind}-{namespace}-{router}.yaml")
        if model.weights is not None:
            files.add(f"configmap-{namespace}-{model.name}-weights-script.yaml")
            if model.weights.type == "volume":
                files.add(f"persistentvolumeclaim-{namespace}-{model.name}-weights.yaml")
    gateway = platform.spec.gateway
    if gateway is not None:
        for kind in ("deployment", "service", "networkpolicy", "poddisruptionbudget"):
            files.add(f"{kind}-{namespace}-{gateway.name}.yaml")
        files.add(f"configmap-{namespace}-{gateway.name}-config.yaml")
        files.add(f"serviceaccount-{namespace}-{gateway.name}.yaml")
        if gateway.authentication:
            files.add(f"secret-{namespace}-{gateway.name}-master-key.yaml")
        if gateway.virtual_keys is not None and gateway.authentication:
            files.add(f"configmap-{namespace}-{gateway.name}-key-sync.yaml")
        keyed = [key.name for key in gateway.keys] + [
            app.name for app in platform.spec.apps if any(u.kind == "gateway" for u in app.uses)
        ]
        if gateway.authentication:
            files |= {f"secret-{namespace}-{gateway.name}-{name}-key.yaml" for name in keyed}
        if gateway.exposure is not None:
            kind = "ingress" if gateway.exposure.type == "ingress" else "httproute"
            files.add(f"{kind}-{namespace}-{gateway.name}.yaml")
    cache = platform.spec.cache
    if isinstance(cache, ValkeyCacheSpec):
        name = f"{namespace}-{cache.name}"
        files |= {
            f"statefulset-{name}.yaml",
            f"deployment-{name}-proxy.yaml",
            f"service-{name}.yaml",
            f"service-{name}-hl.yaml",
            f"configmap-{name}-config.yaml",
            f"secret-{name}-auth.yaml",
            f"networkpolicy-{name}.yaml",
            f"networkpolicy-{name}-proxy.yaml",
            f"poddisruptionbudget-{name}.yaml",
            f"poddisruptionbudget-{name}-proxy.yaml",
            f"certificate-{name}.yaml",
        }
        if cache.tls.cert_manager_issuer is None:
            files |= {
                f"issuer-{name}-selfsigned.yaml",
                f"issuer-{name}-ca.yaml",
                f"certificate-{name}-ca.yaml",
            }
    elif cache is not None:
        files.add(f"secret-{namespace}-{cache.name}-auth.yaml")
    if platform.spec.ray is not None:
        kind = "rayservice" if platform.spec.ray.serve_applications else "raycluster"
        files.add(f"{kind}-{namespace}-{platform.spec.ray.name}.yaml")
        files.add(f"networkpolicy-{namespace}-{platform.spec.ray.name}.yaml")
    postgres = platform.spec.postgres
    if postgres is not None:
        pg = f"{namespace}-{postgres.name}"
        files |= {f"cluster-{pg}.yaml", f"networkpolicy-{pg}.yaml"}
        files |= {f"secret-{pg}-owner-credentials.yaml", f"database-{pg}-{postgres.database}.yaml"}
        if postgres.vector_stores:
            files.add(f"configmap-{pg}-bootstrap-sql.yaml")
        if postgres.backup is not None:
            files.add(f"scheduledbackup-{pg}.yaml")
    analytics = platform.spec.analytics
    if analytics is not None:
        ch = f"{namespace}-{analytics.name}"
        files |= {f"clickhouseinstallation-{ch}.yaml", f"networkpolicy-{ch}.yaml"}
        files |= {f"configmap-{ch}-schema.yaml", f"networkpolicy-{ch}-schema.yaml"}
        users = ["admin", "default", *(user.name for user in analytics.users)]
        if gateway is not None:
            users.append("gateway")
        files |= {f"secret-{ch}-{user}-credentials.yaml" for user in users}
        if analytics.keeper is not None:
            files |= {
                f"clickhousekeeperinstallation-{ch}-keeper.yaml",
                f"networkpolicy-{ch}-keeper.yaml",
            }
    events = platform.spec.events
    if events is not None:
        files.add(f"kafka-{namespace}-{events.name}.yaml")
        files |= {f"kafkanodepool-{namespace}-{role}.yaml" for role in ("broker", "controller")}
        files |= {f"kafkatopic-{namespace}-{topic.name}.yaml" for topic in events.topics}
        files |= {f"kafkauser-{namespace}-{user.name}.yaml" for user in events.users}
    files |= monitoring_files(platform)
    if isinstance(platform.spec.cluster, EksCluster):
        # Cluster-scoped objects of a cluster Shipyard creates: no namespace in the name.
        files.add(f"storageclass-{STORAGE_CLASS}.yaml")
        for pool in karpenter_pools(platform):
            files |= {f"nodepool-{pool}.yaml", f"ec2nodeclass-{pool}.yaml"}
    return files


def monitoring_files(platform: Platform) -> set[str]:
    """`spec.monitoring`'s objects: a monitor per scrape target (and a NetworkPolicy for
    isolated ones), the rules, a dashboard per area; named in tests/sections/monitoring."""
    args = monitoring_args(platform)
    if args is None:
        return set()
    return {
        f"{o['kind'].lower()}-{platform.namespace}-{o['metadata']['name']}.yaml"
        for o in render_objects(args)
    }


def karpenter_pools(platform: Platform) -> list[str]:
    return [pool.name for pool in platform.spec.node_pools if pool.provisioner == "karpenter"]


KARPENTER_KINDS = {("karpenter.sh/v1", "NodePool"), ("karpenter.k8s.aws/v1", "EC2NodeClass")}
CLICKHOUSE_KINDS = {
    ("clickhouse.altinity.com/v1", "ClickHouseInstallation"),
    ("clickhouse-keeper.altinity.com/v1", "ClickHouseKeeperInstallation"),
}
STRIMZI_KINDS = {
    ("kafka.strimzi.io/v1", kind) for kind in ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
}
# The cache's certificates, checked against cert-manager's CRDs in
# tests/components/cache/test_manifests.py.
CERT_MANAGER_KINDS = {("cert-manager.io/v1", "Certificate"), ("cert-manager.io/v1", "Issuer")}
# Checked against the CloudNativePG CRDs in tests/components/postgres/test_crd.py.
CNPG_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
}
# Checked against the Prometheus Operator CRDs in tests/components/monitoring/.
MONITORING_KINDS = {
    ("monitoring.coreos.com/v1", kind)
    for kind in ("PodMonitor", "ServiceMonitor", "PrometheusRule")
}
CLUSTER_SCOPED = {"Namespace", "StorageClass", "NodePool", "EC2NodeClass"}


def expected_tolerations(platform: Platform, pool_name: str) -> list[dict[str, Any]]:
    pool = platform.pool(pool_name)
    assert pool is not None
    tolerations = []
    for taint in pool_scheduling(pool).taints:
        toleration: dict[str, Any] = {"key": taint.key, "effect": taint.effect}
        if taint.value is None:
            toleration["operator"] = "Exists"
        else:
            toleration.update(operator="Equal", value=taint.value)
        tolerations.append(toleration)
    return tolerations


# --- the resource tree ----------------------------------------------------------------


def test_dev_resource_tree(project_root: Path, dev_blueprint: Path) -> None:
    platform = load_blueprint(dev_blueprint)
    resources = render_blueprint(dev_blueprint, project_root, stack="dev")
    by_type: dict[str, list[RenderedResource]] = {}
    for resource in resources:
        by_type.setdefault(resource.type, []).append(resource)
    assert sorted(by_type) == [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:helm.sh/v3:Release",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:policy/v1:PodDisruptionBudget",
        "kubernetes:ray.io/v1:RayCluster",
        "pulumi:providers:kubernetes",
        "random:index/randomPassword:RandomPassword",
        "shipyard:compute:KubeRayOperator",
        "shipyard:compute:RayCluster",
        "shipyard:serving:AiGateway",
        TYPE_TOKEN,
    ]
    [provider] = by_type["pulumi:providers:kubernetes"]
    [namespace] = by_type["kubernetes:core/v1:Namespace"]
    [component] = by_type[TYPE_TOKEN]
    assert provider.name == f"{platform.metadata.name}-cluster"
    assert namespace.name == platform.namespace == "llm-dev"
    assert component.name == platform.spec.models[0].name == "qwen-small"
    # Top-level resources hang off the stack; the component's children off the component.
    stack = namespace.parent
    assert stack is not None and "pulumi:pulumi:Stack" in stack
    assert provider.parent == component.parent == stack
    children = [r for r in resources if r.parent == component.urn]
    assert sorted(r.type for r in children) == [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:policy/v1:PodDisruptionBudget",
    ]
    assert {r.name for r in children} == {"qwen-small"}
    assert len(resources) == 21  # with the Ray cluster's NetworkPolicy


def test_namespace_enforces_the_restricted_pod_security_standard(
    project_root: Path, dev_blueprint: Path
) -> None:
    resources = render_blueprint(dev_blueprint, project_root, stack="dev")
    [namespace] = [r for r in resources if r.type == "kubernetes:core/v1:Namespace"]
    assert namespace.manifest() == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "llm-dev",
            "labels": {
                "app.kubernetes.io/managed-by": "shipyard",
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    }


def test_rendering_twice_in_one_process_gives_the_same_tree(
    project_root: Path, dev_blueprint: Path
) -> None:
    first = render_blueprint(dev_blueprint, project_root, stack="dev")
    second = render_blueprint(dev_blueprint, project_root, stack="dev")
    # RPCs finish in any order; the tree itself is the same.
    assert sorted((r.urn, r.parent or "") for r in first) == sorted(
        (r.urn, r.parent or "") for r in second
    )
    assert len(first) == len({r.urn for r in first}) == 21


def _comparable(resources: list[RenderedResource]) -> list[tuple[Any, ...]]:
    """Every recorded field, dependency URNs as sets (the SDK gathers them in sets)."""
    return sorted(
        (
            r.urn,
            r.parent,
            repr(r.inputs),
            r.protect,
            sorted((key, sorted(urns)) for key, urns in r.property_dependencies.items()),
            sorted(r.dependencies),
            r.provider,
            r.ignore_changes,
        )
        for r in resources
    )


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_fast_registration_records_what_the_sdk_monitor_does(
    project_root: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    blueprint = project_root / "blueprints" / f"{name}.yaml"
    fast = render_blueprint(blueprint, project_root, stack=name)
    # The SDK's own mock monitor: deserialize, echo, serialize every registration again.
    monkeypatch.setattr(
        RecordingMonitor,
        "_register",
        lambda self, request: MockMonitor.RegisterResource(self, request),
    )
    sdk = render_blueprint(blueprint, project_root, stack=name)
    assert _comparable(fast) == _comparable(sdk)
    assert len(fast) == len(sdk) > 0


def test_a_render_leaves_the_process_as_it_found_it(
    project_root: Path, dev_blueprint: Path
) -> None:
    import gc

    from pulumi.runtime import resource as pulumi_resource

    thresholds, stack_trace = gc.get_threshold(), pulumi_resource._get_stack_trace
    render_blueprint(dev_blueprint, project_root, stack="dev")
    assert gc.get_threshold() == thresholds
    assert pulumi_resource._get_stack_trace is stack_trace
    assert gc.get_freeze_count() == 0


def test_a_preloaded_blueprint_is_not_read_again(
    project_root: Path, dev_blueprint: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "dev.yaml"
    copy.write_text(dev_blueprint.read_text())
    platform = load_blueprint(copy)
    copy.write_text("not: a blueprint\n")  # the program would fail on it
    resources = render_blueprint(copy, project_root, "dev", platform)
    expected = render_blueprint(dev_blueprint, project_root, "dev")
    assert sorted(r.urn for r in resources) == sorted(r.urn for r in expected)
    with pytest.raises(Exception, match="the blueprint is invalid"):
        render_blueprint(copy, project_root, "dev")


def test_manifest_restores_integers() -> None:
    resource = RenderedResource(
        urn="urn",
        type="kubernetes:core/v1:Service",
        name="s",
        parent=None,
        inputs={"spec": {"ports": [{"port": 8000.0}], "ratio": 0.5}},
    )
    manifest = resource.manifest()
    assert manifest == {
        "apiVersion": "v1",
        "kind": "Service",
        "spec": {"ports": [{"port": 8000}], "ratio": 0.5},
    }
    assert type(manifest["spec"]["ports"][0]["port"]) is int


# --- `render --out`: files, scheduling from the pool --------------------------------


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_out_writes_one_file_per_object(rendered: dict[str, Rendered], name: str) -> None:
    result = rendered[name]
    # The schema Job's name carries a hash of its DDL, so a schema change runs a new Job;
    # a staging Job's, of its spec and script.
    namespace = result.platform.namespace
    analytics = result.platform.spec.analytics
    prefixes = [f"job-{namespace}-{analytics.name}-schema-"] if analytics else []
    prefixes += [
        f"job-{namespace}-{m.name}-weights-" for m in result.platform.spec.models if m.weights
    ]
    jobs = {file for file in result.objects if file.startswith(tuple(prefixes))}
    assert len(jobs) == len(prefixes)
    # So does the gateway's key Job, after the keys it declares.
    gateway = result.platform.spec.gateway
    keys = f"job-{namespace}-{gateway.name}-keys-" if gateway else None
    key_jobs = {file for file in result.objects if keys and file.startswith(keys)}
    assert len(key_jobs) == (1 if gateway and gateway.virtual_keys is not None else 0)
    jobs |= key_jobs
    assert set(result.objects) - jobs == expected_files(result.platform)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_deployments_match_their_pool(rendered: dict[str, Rendered], name: str) -> None:
    result = rendered[name]
    platform = result.platform
    for index, model in enumerate(platform.spec.models):
        for placement in placements(index, model):
            deployment = result.objects[f"deployment-{platform.namespace}-{placement.name}.yaml"]
            pool = platform.pool(placement.node_pool)
            assert pool is not None
            scheduling = pool_scheduling(pool)
            pod = deployment["spec"]["template"]["spec"]
            [container] = pod["containers"]
            gpus = str(placement.tensor_parallel_size)
            assert container["resources"]["limits"][GPU_RESOURCE] == gpus
            assert container["resources"]["requests"][GPU_RESOURCE] == gpus
            assert pod["nodeSelector"] == scheduling.node_selector
            assert pod["tolerations"] == expected_tolerations(platform, placement.node_pool)
            # Staged weights are streamed from where the Job staged them (docs/weights.md).
            weights = model.weights
            source = {
                "bucket": f"s3://{getattr(weights, 'bucket', '')}/models/{model.model}/",
                "volume": f"/weights/{model.model.replace('/', '--')}/",
            }.get(weights.type if weights else "", model.model)
            assert container["args"][0].startswith(source)
            assert (
                container["args"][container["args"].index("--served-model-name") + 1]
                == model.served_name
            )


def test_dev_deployment_is_the_issue_example(rendered: dict[str, Rendered]) -> None:
    """`shipyard render blueprints/dev.yaml --out DIR`: one GPU, on gpu-small, tolerating it."""
    result = rendered["dev"]
    [model] = result.platform.spec.models
    [pool] = result.platform.spec.node_pools
    deployment = result.objects[f"deployment-{result.platform.namespace}-{model.name}.yaml"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pool.gpu is not None
    assert container["resources"]["limits"][GPU_RESOURCE] == str(pool.gpu.count)
    assert pod["nodeSelector"] == pool_scheduling(pool).node_selector
    assert [t["key"] for t in pod["tolerations"]] == [t.key for t in pool_scheduling(pool).taints]
    assert container["image"].startswith("vllm/vllm-openai:")
    assert not container["image"].endswith(":latest")


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_every_namespaced_object_is_in_the_platform_namespace(
    rendered: dict[str, Rendered], name: str
) -> None:
    result = rendered[name]
    for file, manifest in result.objects.items():
        if manifest["kind"] in CLUSTER_SCOPED:
            assert "namespace" not in manifest["metadata"], file
        else:
            assert manifest["metadata"]["namespace"] == result.platform.namespace, file


# --- values computed at deploy ---------------------------------------------------------


def test_a_deploy_time_output_is_written_as_a_placeholder(rendered: dict[str, Rendered]) -> None:
    """Prod's Karpenter EC2NodeClass takes its `role` from the IAM role the EKS component
    creates, whose name only AWS knows: the field is written as a placeholder naming the
    resource and property, not dropped (Karpenter requires `role` or `instanceProfile`)."""
    result = rendered["prod"]
    [pool] = karpenter_pools(result.platform)
    node_class = result.objects[f"ec2nodeclass-{pool}.yaml"]
    node_role = f"{result.platform.metadata.name}-node"
    assert node_class["spec"]["role"] == computed_placeholder(
        "aws:iam/role:Role", node_role, "name"
    )
    assert node_class["spec"]["role"] == (
        "<computed at deploy: shipyard-prod-node.name (aws:iam/role:Role)>"
    )


def test_placeholders_stand_only_for_outputs_the_inputs_do_not_give(
    project_root: Path, rendered: dict[str, Rendered]
) -> None:
    """dev creates nothing a cloud computes: no placeholder. In prod every placeholder names
    a string output of a resource the program registered."""
    marker = COMPUTED_PLACEHOLDER.split("{", 1)[0]
    assert marker == "<computed at deploy: "
    assert marker not in json.dumps(rendered["dev"].objects)
    text = json.dumps(rendered["prod"].objects)
    found = set(re.findall(r"<computed at deploy: ([\w.-]+)\.(\w+) \(([\w:/.-]+)\)>", text))
    assert text.count(marker) == sum(text.count(computed_placeholder(t, n, p)) for n, p, t in found)
    resources = render_blueprint(project_root / "blueprints" / "prod.yaml", project_root, "prod")
    registered = {(resource.name, resource.type) for resource in resources}
    assert ("shipyard-prod-node", "name", "aws:iam/role:Role") in found
    assert {(name, type_) for name, _, type_ in found} <= registered
    # A resource's records keep its inputs: its own outputs' placeholders are not among them.
    [role] = [r for r in resources if r.name == "shipyard-prod-node" and "iam/role" in r.type]
    assert "arn" not in role.inputs and "name" not in role.inputs
    assert role.inputs["assumeRolePolicy"]


def test_only_string_outputs_get_a_placeholder() -> None:
    """An IAM role's `arn` and `name` are strings the provider computes; `maxSessionDuration`
    (a number) and `tags` (a map) stay unset offline, as before."""
    import pulumi_aws  # noqa: F401  (registers the aws:iam/role:Role class)

    outputs = ResourceClasses().string_outputs("aws:iam/role:Role")
    assert {"arn", "name", "uniqueId"} <= set(outputs)
    assert "maxSessionDuration" not in outputs and "tags" not in outputs
    assert ResourceClasses().string_outputs("example:index:Unknown") == []
    _, written = DeployTimeMocks().new_resource(
        pulumi.runtime.MockResourceArgs(
            typ="aws:iam/role:Role",
            name="node",
            inputs={"name": "given", "assumeRolePolicy": "{}"},
            provider="",
            resource_id="",
            custom=True,
        )
    )
    assert written["name"] == "given"
    assert written["arn"] == "<computed at deploy: node.arn (aws:iam/role:Role)>"
    assert "maxSessionDuration" not in written


# --- the upstream Kubernetes schema ---------------------------------------------------


def test_kubernetes_schema_version_is_recent() -> None:
    major, minor, *_ = (int(part) for part in KUBERNETES_VERSION.split("."))
    assert (major, minor) >= (1, 34)


def builtin_and_custom(result: Rendered) -> tuple[dict[str, list[str]], set[tuple[str, str]]]:
    """Validate every object; return schema problems per file and the kinds with no schema."""
    problems: dict[str, list[str]] = {}
    custom: set[tuple[str, str]] = set()
    for file, manifest in result.objects.items():
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            custom.add((manifest["apiVersion"], manifest["kind"]))
        except kubernetes_validate.ValidationError as error:
            problems[file] = [error.message]
    return problems, custom


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_every_object_validates_against_the_kubernetes_schema(
    rendered: dict[str, Rendered], name: str
) -> None:
    problems, custom = builtin_and_custom(rendered[name])
    assert problems == {}
    platform = rendered[name].platform
    autoscaled = any(model.autoscaling for model in platform.spec.models)
    # Custom resources are validated against their operators' CRDs in
    # tests/components/ray/test_crd.py.
    assert custom - {("ray.io/v1", "RayCluster"), ("ray.io/v1", "RayService")} == (
        {("keda.sh/v1alpha1", "ScaledObject")} if autoscaled else set()
    ) | (KARPENTER_KINDS if karpenter_pools(platform) else set()) | (
        CNPG_KINDS if platform.spec.postgres else set()
    ) | (CLICKHOUSE_KINDS if platform.spec.analytics else set()) | (
        STRIMZI_KINDS if platform.spec.events else set()
    ) | (MONITORING_KINDS if platform.spec.monitoring else set()) | (
        CERT_MANAGER_KINDS if isinstance(platform.spec.cache, ValkeyCacheSpec) else set()
    )


def test_prod_has_custom_resources_to_check(rendered: dict[str, Rendered]) -> None:
    _, custom = builtin_and_custom(rendered["prod"])
    assert custom == {
        ("keda.sh/v1alpha1", "ScaledObject"),
        ("ray.io/v1", "RayService"),
        *KARPENTER_KINDS,
        *CNPG_KINDS,
        *CLICKHOUSE_KINDS,
        *STRIMZI_KINDS,
        *MONITORING_KINDS,
        *CERT_MANAGER_KINDS,
    }


def test_schema_validation_is_strict_enough_to_catch_mistakes(
    rendered: dict[str, Rendered],
) -> None:
    """A control: the same Deployment with one wrong field must fail."""
    result = rendered["dev"]
    [model] = result.platform.spec.models
    deployment = result.objects[f"deployment-{result.platform.namespace}-{model.name}.yaml"]
    kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 1}}
    with pytest.raises(kubernetes_validate.ValidationError, match=r"replica"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    wrong_type = {**deployment, "spec": {**deployment["spec"], "replicas": "1"}}
    with pytest.raises(kubernetes_validate.ValidationError, match=r"'1' is not of type 'integer'"):
        kubernetes_validate.validate(wrong_type, KUBERNETES_VERSION, strict=True)


def test_scaled_objects_have_the_fields_keda_requires(rendered: dict[str, Rendered]) -> None:
    """KEDA's CRD is not in the Kubernetes schema: check what its CRD requires by hand."""
    result = rendered["prod"]
    platform = result.platform
    scaled_models = [model for model in platform.spec.models if model.autoscaling is not None]
    assert scaled_models
    for model in scaled_models:
        assert model.autoscaling is not None
        scaled = result.objects[f"scaledobject-{platform.namespace}-{model.name}.yaml"]
        assert set(scaled) == {"apiVersion", "kind", "metadata", "spec"}
        assert (scaled["apiVersion"], scaled["kind"]) == ("keda.sh/v1alpha1", "ScaledObject")
        assert scaled["metadata"]["name"] == model.name
        spec = scaled["spec"]
        # Required by the CRD: scaleTargetRef.name and at least one trigger with type + metadata.
        assert spec["scaleTargetRef"] == {"name": model.name}
        assert f"deployment-{platform.namespace}-{model.name}.yaml" in result.objects
        assert spec["minReplicaCount"] == model.autoscaling.min_replicas
        assert spec["maxReplicaCount"] == model.autoscaling.max_replicas
        assert type(spec["minReplicaCount"]) is int and type(spec["maxReplicaCount"]) is int
        [trigger] = spec["triggers"]
        assert trigger["type"] == "prometheus"
        # Trigger metadata is map[string]string in the CRD: every value must be a string.
        assert trigger["metadata"] == {
            "serverAddress": model.autoscaling.prometheus_url,
            "query": f'sum(vllm:num_requests_waiting{{model_name="{model.served_name}"}})',
            "threshold": str(model.autoscaling.queue_target),
        }
        assert all(isinstance(value, str) for value in trigger["metadata"].values())
