"""The cost estimate, checked against hand-worked figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.blueprint.platform import Platform
from shipyard.cost import Sizes, estimate_platform, quantity_gib

ROOT = Path(__file__).resolve().parent.parent


def platform(
    cluster: dict[str, object], pools: list[dict[str, object]], **spec: object
) -> Platform:
    return Platform.model_validate(
        {
            "apiVersion": "shipyard.dev/v1alpha1",
            "kind": "Platform",
            "metadata": {"name": "p", "environment": "prod"},
            "spec": {"cluster": cluster, "nodePools": pools, **spec},
        }
    )


EKS = {"kind": "eks", "region": "us-east-1"}


def test_one_g5_pool_on_eks_by_hand() -> None:
    estimate = estimate_platform(
        platform(
            EKS,
            [
                {
                    "name": "gpu",
                    "instanceType": "g5.xlarge",
                    "size": {"min": 1, "max": 3, "desired": 2},
                }
            ],
        )
    )
    [pool] = estimate.pools
    # 1.006 $/h x 730 h = 734.38 per node.
    assert pool.monthly == pytest.approx(Sizes(734.38, 1468.76, 2203.14))
    items = {item.name: item.monthly for item in estimate.items}
    # 100 GiB x 0.08 = 8.00 per node.
    assert items["node disks"] == pytest.approx(Sizes(8.0, 16.0, 24.0))
    assert items["EKS control plane"] == pytest.approx(Sizes.flat(73.0))
    # One NAT gateway: 0.045 x 730 = 32.85, plus 100 GB x 0.045 = 4.50.
    assert items["NAT gateways"] == pytest.approx(Sizes.flat(37.35))
    assert estimate.total == pytest.approx(
        Sizes(734.38 + 8 + 73 + 37.35, 1468.76 + 16 + 73 + 37.35, 2203.14 + 24 + 73 + 37.35)
    )


def test_nat_per_az_and_data_from_the_budget() -> None:
    cluster = {
        **EKS,
        "vpc": {
            "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
            "natGateways": "per-az",
        },
    }
    estimate = estimate_platform(
        platform(cluster, [], budget={"monthlyUsd": 1000, "natDataGbPerMonth": 1000})
    )
    items = {item.name: item.monthly for item in estimate.items}
    # 3 x 32.85 + 1000 x 0.045.
    assert items["NAT gateways"] == pytest.approx(Sizes.flat(3 * 32.85 + 45.0))


def test_existing_subnets_have_no_nat_and_local_has_no_control_plane() -> None:
    eks = estimate_platform(platform({**EKS, "subnetIds": ["subnet-a", "subnet-b"]}, []))
    assert "NAT gateways" not in {item.name for item in eks.items}
    local = estimate_platform(
        platform({"kind": "local"}, [{"name": "cpu", "instanceType": "m7i.2xlarge"}])
    )
    assert [item.name for item in local.items] == []
    assert local.total == pytest.approx(Sizes.flat(0.4032 * 730))


def test_unknown_prices_are_listed_not_counted() -> None:
    estimate = estimate_platform(
        platform(
            {"kind": "local"}, [{"name": "h200", "instanceType": "p5e.48xlarge"}, {"name": "bare"}]
        )
    )
    assert estimate.unpriced == ["h200", "bare"]
    assert estimate.total == Sizes.flat(0.0)


WEIGHTS_S3 = 70.6e9 * 2 / 1024**3 * 0.023


def test_prod_blueprint_total() -> None:
    estimate = estimate_platform(load_blueprint(ROOT / "blueprints" / "prod.yaml"))
    # system 2 x 0.4032; gpu-a10g 4 x 1.006 (declared desired 2, but llama-8b starts at
    # 2 replicas and qwen-7b-awq at 2, one GPU each); gpu-h100 1 x 55.04; gpu-burst
    # 2 x 2.24208 (declared 0, but qwen-32b has a prefill and a decode server, one GPU
    # each); all x 730. Caches 500 GiB (llama-8b's 100, one 200 per qwen-32b role) and
    # node disks (2 x 100 + 4 x 200 + 500 + 2 x 100) GiB at 0.08; llama-70b's staged weights
    # (70.6e9 parameters x 2 bytes) in S3 at 0.023; EKS 0.10 x 730;
    # NAT 0.045 x 730 + 500 GB x 0.045. Data volumes: Postgres 3 x 100, Kafka brokers
    # 3 x 100 and controllers 3 x 10, ClickHouse 2 x 200, Keeper 3 x 10, the cache 3 x 10
    # (GiB).
    desired = (
        (2 * 0.4032 + 4 * 1.006 + 55.04 + 2 * 2.24208) * 730
        + (500 + 1700 + 1090) * 0.08
        + WEIGHTS_S3
        + 0.10 * 730
        + 0.045 * 730
        + 500 * 0.045
    )
    assert estimate.total.desired == pytest.approx(desired)
    assert estimate.total.max == pytest.approx(
        (4 * 0.4032 + 6 * 1.006 + 2 * 55.04 + 4 * 2.24208) * 730
        + (500 + 1090 + 4 * 100 + 6 * 200 + 2 * 500 + 4 * 100) * 0.08
        + WEIGHTS_S3
        + 0.10 * 730
        + 0.045 * 730
        + 500 * 0.045
    )
    assert (
        "object storage (S3 storage, requests, KMS) is not priced, but for staged model "
        "weights (S3 Standard storage)" in estimate.assumptions
    )
    data = next(item for item in estimate.items if item.name == "data volumes")
    assert data.detail == (
        "17 PVC(s) (cache 3 x 10 GiB, postgres 3 x 100 GiB, clickhouse 2 x 200 GiB, keeper 3 x"
        " 10 GiB, kafka 3 x 100 GiB, kafka-controller 3 x 10 GiB), 1090 GiB at $0.08/GB-month"
    )
    assert data.monthly.desired == pytest.approx(1090 * 0.08)


@pytest.mark.parametrize(
    ("quantity", "gib"), [("100Gi", 100.0), ("1Ti", 1024.0), ("512Mi", 0.5), ("1073741824", 1.0)]
)
def test_quantity_gib(quantity: str, gib: float) -> None:
    assert quantity_gib(quantity) == pytest.approx(gib)


def test_quantity_gib_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="`lots` is not a storage quantity"):
        quantity_gib("lots")


def test_desired_nodes_cover_what_the_models_start_with() -> None:
    platform = load_blueprint(ROOT / "blueprints" / "prod.yaml")
    pools = {pool.name: pool for pool in estimate_platform(platform).pools}
    burst = platform.pool("gpu-burst")
    assert burst is not None and burst.size.desired == 0
    # qwen-32b runs a prefill and a decode server on gpu-burst, one GPU each, so two
    # nodes are priced at desired size.
    assert pools["gpu-burst"].nodes.desired == 2
    assert pools["gpu-burst"].nodes.min == 0
