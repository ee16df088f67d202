"""What staged weights cost a month: an S3 bucket's storage at S3 Standard's price, a
volume at gp3's (as every volume in the estimate). Weights in MinIO sit on its drives,
which the estimate prices as data volumes already."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shipyard.sections.models.cold_start import weights_gib
from shipyard.sections.models.model import BucketWeights, VolumeWeights
from shipyard.sections.object_store.model import S3ObjectStore

if TYPE_CHECKING:
    from shipyard.blueprint.platform import Platform
    from shipyard.cost import LineItem

S3_STANDARD_USD_PER_GB_MONTH = 0.023
"""Amazon S3 pricing page, S3 Standard, first 50 TB a month, us-east-1, read 2026-12."""


def weights_cost_items(platform: Platform) -> list[LineItem]:
    from shipyard.cost import EBS_GP3_USD_PER_GB_MONTH, LineItem, Sizes, quantity_gib

    bucket_gib = 0.0
    volumes: list[float] = []
    for model in platform.spec.models:
        if isinstance(model.weights, BucketWeights) and isinstance(
            platform.spec.object_store, S3ObjectStore
        ):
            bucket_gib += weights_gib(model) or 0.0
        elif isinstance(model.weights, VolumeWeights):
            volumes.append(quantity_gib(model.weights.size))
    items = []
    if bucket_gib:
        items.append(
            LineItem(
                "staged weights (S3)",
                f"{bucket_gib:.0f} GiB at ${S3_STANDARD_USD_PER_GB_MONTH}/GB-month",
                Sizes.flat(bucket_gib * S3_STANDARD_USD_PER_GB_MONTH),
            )
        )
    if volumes:
        size = sum(volumes)
        items.append(
            LineItem(
                "staged weights (volumes)",
                f"{len(volumes)} PVC(s), {size:g} GiB at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month",
                Sizes.flat(size * EBS_GP3_USD_PER_GB_MONTH),
            )
        )
    return items
