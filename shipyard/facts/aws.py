"""AWS regions with their availability zones, and the Kubernetes versions EKS supports.

Sources, read 2026-12:

- `REGION_ZONES`: the AWS "Regions and Zones" documentation
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html)
  and `aws ec2 describe-availability-zones --region R`. A zone name's letter maps to a
  physical zone per account, but the letters a region offers are the same for everyone;
  older accounts may see a letter listed here that newer ones do not (us-west-1b).
- `EKS_VERSIONS`: the Amazon EKS Kubernetes release calendar
  (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, "Amazon EKS
  Kubernetes release calendar"): release, end of standard support (14 months) and end of
  extended support (12 more months). A version past its end of extended support cannot
  be created. Cross-checked with https://endoflife.date/amazon-eks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FACTS_DATE = date(2026, 12, 2)
"""When these tables were last read; versions are judged as of this day, so a blueprint's
validity does not change with the clock, only with a new table."""

REGION_ZONES: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "abc",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "sa-east-1": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-east-1": "abc",
    "me-central-1": "abc",
    "me-south-1": "abc",
    "il-central-1": "abc",
    "af-south-1": "abc",
}
"""Each region and the letters of its availability zones (`us-east-1` + `a`)."""


@dataclass(frozen=True)
class EksVersion:
    released: date
    end_of_standard: date
    end_of_extended: date


EKS_VERSIONS: dict[str, EksVersion] = {
    "1.30": EksVersion(date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": EksVersion(date(2024, 9, 26), date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": EksVersion(date(2025, 1, 25), date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": EksVersion(date(2025, 5, 28), date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": EksVersion(date(2025, 10, 6), date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": EksVersion(date(2026, 1, 28), date(2027, 3, 27), date(2028, 3, 27)),
}


def supported_eks_versions(on: date = FACTS_DATE) -> list[str]:
    """The versions a new cluster may use on `on` (standard or extended support)."""
    return [name for name, version in EKS_VERSIONS.items() if version.end_of_extended >= on]


def zones_of(region: str) -> list[str]:
    """`us-east-2` -> `us-east-2a`, `us-east-2b`, `us-east-2c`; empty for an unknown region."""
    return [region + letter for letter in REGION_ZONES.get(region, "")]
