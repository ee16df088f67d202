"""`spec.budget`: a monthly ceiling the cost estimate is checked against."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shipyard.blueprint.base import BlueprintModel

DEFAULT_NAT_DATA_GB_PER_MONTH = 100
"""Assumed NAT-processed data when the blueprint does not say (image pulls, model downloads)."""


class Budget(BlueprintModel):
    monthly_usd: Annotated[
        float | int,
        Field(
            gt=0,
            alias="monthlyUsd",
            description="Validation fails when the estimate at desired sizes exceeds this.",
        ),
    ]
    nat_data_gb_per_month: Annotated[
        float | int,
        Field(
            ge=0,
            alias="natDataGbPerMonth",
            description=f"Data through the NAT gateways per month, in GB; "
            f"default {DEFAULT_NAT_DATA_GB_PER_MONTH}.",
        ),
    ] = DEFAULT_NAT_DATA_GB_PER_MONTH
