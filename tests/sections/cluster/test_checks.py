"""`check_eks` on AWS facts: a real region, zones of that region and distinct, and an EKS
version EKS still supports, each at its FILE:LINE:COL."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tests.blueprint.located import load_problems, located_at

FILE = "prod.yaml"
PROD = (Path(__file__).resolve().parents[3] / "blueprints" / "prod.yaml").read_text()
at = partial(located_at, FILE)
problems = partial(load_problems, FILE)


def _edit(old: str, new: str) -> str:
    assert PROD.count(old) == 1
    return PROD.replace(old, new)


def test_an_unknown_region_is_refused(tmp_path: Path) -> None:
    text = _edit("    region: us-east-1\n", "    region: us-east-7\n").replace(
        "[us-east-1a, us-east-1b, us-east-1c]", "[us-east-7a, us-east-7b]"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'region: us-east-7')}: spec.cluster.region: unknown AWS region "
        "`us-east-7`; did you mean `us-east-2`?"
    ]


def test_zones_must_be_the_regions_and_distinct(tmp_path: Path) -> None:
    text = _edit("[us-east-1a, us-east-1b, us-east-1c]", "[us-east-1a, us-east-1a, us-east-1z]")
    assert problems(tmp_path, text) == [
        f"{at(text, 'us-east-1a, us-east-1z')}: spec.cluster.vpc.availabilityZones[1]: "
        "`us-east-1a` is listed twice; the zones must be distinct",
        f"{at(text, 'us-east-1z')}: spec.cluster.vpc.availabilityZones[2]: `us-east-1z` is "
        "not a zone of region `us-east-1`; it has us-east-1a, us-east-1b, us-east-1c, "
        "us-east-1d, us-east-1e, us-east-1f (shipyard/facts/aws.py)",
    ]


def test_a_version_past_extended_support_is_refused(tmp_path: Path) -> None:
    text = _edit('kubernetesVersion: "1.33"', 'kubernetesVersion: "1.31"')
    assert problems(tmp_path, text) == [
        f"{at(text, 'kubernetesVersion')}: spec.cluster.kubernetesVersion: EKS cannot create a "
        "`1.31` cluster (its extended support ended on 2026-11-26, as of 2026-12-02); use one "
        "of 1.32, 1.33, 1.34, 1.35"
    ]


def test_a_version_eks_never_offered_is_refused(tmp_path: Path) -> None:
    text = _edit('kubernetesVersion: "1.33"', 'kubernetesVersion: "1.99"')
    (line,) = problems(tmp_path, text)
    assert "`1.99` cluster (EKS does not offer it, as of 2026-12-02)" in line
