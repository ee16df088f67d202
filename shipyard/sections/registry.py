"""Every blueprint section, in the order their checks run and the plan reports them.

A new section adds its package and one line here; `compose_platform` reorders them so
each composes after the sections named in its `compose_after`."""

from __future__ import annotations

from shipyard.sections.analytics.section import SECTION as ANALYTICS
from shipyard.sections.apps.section import SECTION as APPS
from shipyard.sections.budget.section import SECTION as BUDGET
from shipyard.sections.cache.section import SECTION as CACHE
from shipyard.sections.charts.section import SECTION as CHARTS
from shipyard.sections.cluster.section import SECTION as CLUSTER
from shipyard.sections.events.section import SECTION as EVENTS
from shipyard.sections.gateway.section import SECTION as GATEWAY
from shipyard.sections.gitops.section import SECTION as GITOPS
from shipyard.sections.manifests.section import SECTION as MANIFESTS
from shipyard.sections.models.section import SECTION as MODELS
from shipyard.sections.monitoring.section import SECTION as MONITORING
from shipyard.sections.node_pools.section import SECTION as NODE_POOLS
from shipyard.sections.object_store.section import SECTION as OBJECT_STORE
from shipyard.sections.postgres.section import SECTION as POSTGRES
from shipyard.sections.ray.section import SECTION as RAY
from shipyard.sections.section import Section

__all__ = ["BINDABLE", "BUDGET", "BY_NAME", "CLUSTER", "SECTIONS"]

SECTIONS: tuple[Section, ...] = (
    NODE_POOLS,
    MODELS,
    CACHE,
    GATEWAY,
    RAY,
    CLUSTER,
    OBJECT_STORE,
    POSTGRES,
    ANALYTICS,
    EVENTS,
    MANIFESTS,
    CHARTS,
    APPS,
    GITOPS,
    MONITORING,
    BUDGET,
)

BY_NAME = {section.name: section for section in SECTIONS}
BINDABLE = {section.use_kind: section for section in SECTIONS if section.use_kind is not None}
"""`uses[].kind` -> the section that binds it."""
