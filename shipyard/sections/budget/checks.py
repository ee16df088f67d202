"""The check of `spec.budget`: the estimate at desired sizes stays within `monthlyUsd`."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.errors import Finding
from shipyard.blueprint.platform import Platform


def check_budget(platform: Platform) -> Iterator[Finding]:
    budget = platform.spec.budget
    if budget is None:
        return
    from shipyard.cost import estimate_platform  # the estimate asks every section

    estimate = estimate_platform(platform)
    desired = estimate.total.desired
    if desired > budget.monthly_usd:
        unpriced = estimate.unpriced
        partial = f" (without unpriced pool(s) {', '.join(unpriced)})" if unpriced else ""
        yield (
            ("spec", "budget", "monthlyUsd"),
            f"the estimate at desired sizes is ${desired:,.2f}/month{partial}, over the budget "
            f"of ${budget.monthly_usd:,.2f}; `shipyard cost` shows the breakdown",
        )
