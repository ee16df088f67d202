"""`shipyard cost` prices the apps' requests onto their pools: a pool's desired nodes are
at least what the apps' CPU and memory (as deployed) need on its instance type."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shipyard.cost import HOURS_PER_MONTH, estimate_platform, node_counts
from shipyard.facts.instances import lookup_instance
from tests.blueprint.located import load_text
from tests.sections.apps.base import BASE, FILE

load = partial(load_text, FILE)


def test_the_apps_requests_set_the_pools_desired_nodes(tmp_path: Path) -> None:
    small = load(tmp_path, BASE)
    assert node_counts(small)["system"].desired == 1
    # Two pods of 3 cores each need two m7i.xlarge nodes (3.92 cores each for pods).
    text = BASE.replace(
        "      replicas: 2\n", '      replicas: 2\n      resources: {cpu: "3", memory: 4Gi}\n'
    )
    platform = load(tmp_path, text)
    counts = node_counts(platform)["system"]
    assert (counts.min, counts.desired, counts.max) == (1, 2, 3)
    estimate = estimate_platform(platform)
    [pool] = [p for p in estimate.pools if p.name == "system"]
    facts = lookup_instance("m7i.xlarge")
    assert facts is not None and facts.on_demand_usd_per_hour is not None
    assert pool.monthly.desired == 2 * facts.on_demand_usd_per_hour * HOURS_PER_MONTH
    # The worker scales from zero, so only the backend's two pods count as deployed.
    assert (
        "apps request 6 cores and 8 GiB on pool `system` as deployed, counted in its desired nodes"
    ) in estimate.assumptions
