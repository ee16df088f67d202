"""`spec.ray` problems reported as `FILE:LINE:COL: field.path: message`."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shipyard.blueprint import load_blueprint
from tests.blueprint.located import line_column, load_problems

DEV = Path(__file__).resolve().parents[3] / "blueprints" / "dev.yaml"
CPU_POOL = """\
    - name: cpu
      size: {min: 1, max: 3}
  models:
"""


at = line_column
problems = partial(load_problems, "bp.yaml")


def with_cpu_pool() -> str:
    return DEV.read_text().replace("  models:\n", CPU_POOL, 1)


def test_a_gpu_worker_group_on_a_cpu_pool(tmp_path: Path) -> None:
    text = with_cpu_pool().replace("        nodePool: gpu-small\n", "        nodePool: cpu\n")
    line, column = at(text, "gpusPerWorker: 1")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.workerGroups[0].gpusPerWorker: pool `cpu` has no "
        "GPUs; put GPU workers on a GPU pool or ask for no GPUs"
    ]


def test_a_cpu_worker_group_on_a_cpu_pool_is_valid(tmp_path: Path) -> None:
    text = (
        with_cpu_pool()
        .replace("        nodePool: gpu-small\n", "        nodePool: cpu\n")
        .replace("        gpusPerWorker: 1\n", "")
    )
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    ray = load_blueprint(path).spec.ray
    assert ray is not None and ray.worker_groups[0].gpus_per_worker == 0


def test_more_gpus_per_worker_than_a_node_has(tmp_path: Path) -> None:
    text = DEV.read_text().replace("gpusPerWorker: 1", "gpusPerWorker: 2")
    line, column = at(text, "gpusPerWorker: 2")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.workerGroups[0].gpusPerWorker: 2 exceeds the 1 "
        "GPU(s) per node of pool `gpu-small`"
    ]


def test_a_worker_group_on_an_undeclared_pool(tmp_path: Path) -> None:
    text = DEV.read_text().replace("        nodePool: gpu-small\n", "        nodePool: gpu-smal\n")
    line, column = at(text, "nodePool: gpu-smal\n")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.workerGroups[0].nodePool: no node pool named "
        "`gpu-smal` (did you mean `gpu-small`?); declared pools: gpu-small"
    ]


def test_min_must_not_exceed_max(tmp_path: Path) -> None:
    text = DEV.read_text().replace("        minReplicas: 0\n", "        minReplicas: 2\n")
    line, column = at(text, "- name: gpu\n")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column + 2}: spec.ray.workerGroups[0]: "
        "`minReplicas` must not exceed `maxReplicas`"
    ]


def test_the_image_tag_must_match_ray_version(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        '    rayVersion: "2.52.0"\n',
        '    rayVersion: "2.52.0"\n    image: rayproject/ray:2.51.1-py311-gpu\n',
    )
    line, column = at(text, "image: rayproject")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.image: image tag `2.51.1-py311-gpu` does not "
        "match `rayVersion` 2.52.0"
    ]


def test_an_unpinned_image_is_refused(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        '    rayVersion: "2.52.0"\n', '    rayVersion: "2.52.0"\n    image: rayproject/ray\n'
    )
    line, column = at(text, "image: rayproject")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"bp.yaml:{line}:{column}: spec.ray.image: 'rayproject/ray' has no")


GPU_RAY_POOL = """\
    - name: gpu-ray
      gpu: {type: nvidia-a10g, count: 1}
      size: {min: 0, max: 1}
  models:
"""


def test_ray_gpu_workers_and_models_share_the_pools_gpus(tmp_path: Path) -> None:
    # dev.yaml's pool holds 3 x 1 GPUs; 3 model replicas and 1 Ray GPU worker want 4.
    text = DEV.read_text().replace("      replicas: 1\n", "      replicas: 3\n", 1)
    line, column = at(text, "max: 3")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.nodePools[0].size.max: models and Ray worker groups "
        "on pool `gpu-small` need up to 4 GPUs (models 3, Ray worker groups 1) but the pool "
        "holds at most 3 (3 node(s) x 1)"
    ]


def test_ray_workers_count_max_replicas_times_gpus_per_worker(tmp_path: Path) -> None:
    text = (
        DEV.read_text()
        .replace("  models:\n", GPU_RAY_POOL, 1)
        .replace("        nodePool: gpu-small\n", "        nodePool: gpu-ray\n")
        .replace("        maxReplicas: 1\n", "        maxReplicas: 2\n")
    )
    line, column = at(text, "max: 1}")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.nodePools[1].size.max: Ray worker groups on pool "
        "`gpu-ray` need up to 2 GPUs but the pool holds at most 1 (1 node(s) x 1)"
    ]


def test_cpu_workers_and_the_dev_blueprint_fit(tmp_path: Path) -> None:
    # The e2e test scales dev's model to 2 replicas: with the Ray GPU worker that is 3 of 3.
    text = DEV.read_text().replace("      replicas: 1\n", "      replicas: 2\n", 1)
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    platform = load_blueprint(path)
    assert platform.spec.models[0].replicas == 2
    text = with_cpu_pool().replace(
        "        nodePool: gpu-small\n        gpusPerWorker: 1\n        minReplicas: 0\n"
        "        maxReplicas: 1\n",
        "        nodePool: cpu\n        minReplicas: 0\n        maxReplicas: 9\n",
    )
    path.write_text(text)
    ray = load_blueprint(path).spec.ray
    assert ray is not None and ray.worker_groups[0].max_replicas == 9


def test_a_local_operator_chart_path_reaches_the_operator_args(tmp_path: Path) -> None:
    from shipyard.sections.ray.args import ray_args

    text = DEV.read_text().replace(
        "    installOperator: true\n",
        "    installOperator: true\n    operatorChartPath: /srv/charts/kuberay-operator\n",
    )
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    args = ray_args(load_blueprint(path))
    assert args is not None and args.operator_chart_path == "/srv/charts/kuberay-operator"


def test_the_operator_chart_path_must_be_absolute(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "    installOperator: true\n",
        "    installOperator: true\n    operatorChartPath: charts/kuberay-operator\n",
    )
    line, column = at(text, "operatorChartPath")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.operatorChartPath: `charts/kuberay-operator` is "
        "not an absolute path"
    ]


def test_an_operator_chart_path_needs_install_operator(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "    installOperator: true\n",
        "    installOperator: false\n    operatorChartPath: /srv/charts/kuberay-operator\n",
    )
    line, column = at(text, "operatorChartPath")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.operatorChartPath: a chart is installed only with "
        "`installOperator: true`; set it or drop the path"
    ]


def test_a_ray_without_token_authentication_is_refused(tmp_path: Path) -> None:
    text = DEV.read_text().replace('    rayVersion: "2.52.0"\n', '    rayVersion: "2.51.1"\n')
    line, column = at(text, 'rayVersion: "2.51.1"')
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.ray.rayVersion: Ray 2.51.1 has no token "
        "authentication, which Shipyard turns on; use 2.52.0 or later"
    ]
