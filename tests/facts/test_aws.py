"""The AWS facts: zones belong to their regions, EKS versions in calendar order."""

from __future__ import annotations

from datetime import date, timedelta

from shipyard.facts.aws import (
    EKS_VERSIONS,
    FACTS_DATE,
    REGION_ZONES,
    supported_eks_versions,
    zones_of,
)


def test_zones_are_the_region_and_a_letter() -> None:
    assert zones_of("us-east-2") == ["us-east-2a", "us-east-2b", "us-east-2c"]
    assert zones_of("ap-northeast-1") == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
    assert zones_of("mars-north-1") == []
    assert all(
        len(letters) >= 2 and len(set(letters)) == len(letters) for letters in REGION_ZONES.values()
    )


def test_eks_versions_follow_the_calendar() -> None:
    for version in EKS_VERSIONS.values():
        # 14 months of standard support, then 12 of extended support.
        assert (
            timedelta(days=395) < version.end_of_standard - version.released < timedelta(days=440)
        )
        assert (
            timedelta(days=360)
            < version.end_of_extended - version.end_of_standard
            < timedelta(days=370)
        )


def test_supported_versions_as_of_the_facts_date() -> None:
    assert date(2026, 12, 2) == FACTS_DATE
    assert supported_eks_versions() == ["1.32", "1.33", "1.34", "1.35"]
    assert supported_eks_versions(date(2026, 7, 1)) == [
        "1.30",
        "1.31",
        "1.32",
        "1.33",
        "1.34",
        "1.35",
    ]
