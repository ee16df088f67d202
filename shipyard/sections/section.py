"""The interface every blueprint section implements.

A section is one key under `spec` (`events`, `objectStore`, ...) and one package in
`shipyard/sections/`. The package holds everything specific to it: its models
(`model.py`), its semantic checks (`checks.py`), its translation into component Args
(`args.py`), the resources it creates (`compose.py`), and, in `section.py`, this
interface: what the cross-section orchestration (`load_blueprint`, `compose_platform`,
`shipyard plan`, `shipyard cost`) asks of it.

Every method has a default that does nothing, so a section implements only what it has.
`section.py` must not import Pulumi: `shipyard validate` loads every section and no SDK;
`compose` imports its `compose.py` when it runs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.graph.model import GraphPart

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.cost import LineItem
    from shipyard.sections.apps.model import AppSpec

Data = Mapping[str, Any]


@dataclass(frozen=True)
class SummaryEntry:
    """A named thing a reader of `shipyard plan` thinks in: "Kafka topic `audit` added"."""

    path: tuple[str, ...]
    """Where it sits in the blueprint as written (camelCase keys)."""
    label: str
    key: str | None = None
    """The field naming each item of a list; None for a single object."""
    describe: Callable[[Data], str] | None = None
    """The detail shown when an item (or the single object) is added, e.g. "`Qwen/...` on
    pool `gpu`, 1 replica"."""


@dataclass(frozen=True)
class PoolDemand:
    """The GPUs a section's workloads may take at most, per pool name."""

    label: str
    """How the capacity message names them, e.g. "models" or "Ray worker groups"."""
    most: Counter[str] = field(default_factory=Counter)
    """At most (every replica an autoscaler may add), for the capacity check."""
    at_start: Counter[str] = field(default_factory=Counter)
    """As deployed, before autoscaling, for the cost estimate's node counts."""
    cpu_most: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """CPU cores requested at most, per pool; checked where the pool's instance is known."""
    memory_most: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Memory requested at most, in GiB, per pool."""
    cpu_at_start: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """CPU cores requested as deployed, for the node counts."""
    memory_at_start: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Memory (GiB) requested as deployed, for the node counts."""


@dataclass(frozen=True)
class Volume:
    """A data service's persistent volumes, for the cost estimate."""

    service: str
    claims: int
    gib: float


class Section:
    """One blueprint section; subclasses set `name` and override what they have."""

    name: ClassVar[str]
    """The attribute on `PlatformSpec`, e.g. `object_store`."""
    key: ClassVar[str]
    """The key a user writes under `spec`, e.g. `objectStore`."""
    compose_after: ClassVar[tuple[str, ...]] = ("cluster",)
    """Sections whose resources this one's need (`compose_platform` creates them first)."""
    summary: ClassVar[tuple[SummaryEntry, ...]] = ()
    """What `shipyard plan` names when this section changes; other fields are reported
    under `platform:`."""

    def check(self, platform: Platform) -> Iterable[Finding]:
        """The section's semantic problems, as `(path, message)`."""
        return ()

    def gpu_demand(self, platform: Platform) -> PoolDemand | None:
        """The GPUs its workloads may take from each pool, for the capacity check."""
        return None

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        """Create the section's components and record them on `composed`."""

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        """Stack outputs: connection details and Secret names, never secret values."""
        return {}

    def volumes(self, platform: Platform) -> list[Volume]:
        """Its persistent data volumes, priced by `shipyard cost`."""
        return []

    def cost_items(self, platform: Platform) -> list[LineItem]:
        """Other monthly costs it adds (control plane, NAT, caches)."""
        return []

    def cost_assumptions(self, platform: Platform) -> list[str]:
        """What the estimate assumes or leaves out because of this section."""
        return []

    def advise(self, platform: Platform) -> Iterable[Finding]:
        """Advisories: likely mistakes that do not stop a deploy (`shipyard validate`
        prints them as warnings)."""
        return ()

    def summarize(self, before: Data, after: Data) -> list[str]:
        """Plan lines for changes `summary` entries cannot phrase, from the two blueprints
        as written (camelCase); a section that has them says so in `summarizes`."""
        return []

    summarizes: ClassVar[bool] = False
    """True when `summarize` phrases this section's changes instead of `summary` entries."""

    def graph(self, platform: Platform) -> GraphPart:
        """Its nodes, groups and edges in the platform's picture (`shipyard graph`,
        the plan's diagram), including the edges of apps bound to it; see
        `shipyard/graph/model.py`."""
        return GraphPart()

    # The binding interface: a bindable section serves one `uses[].kind` of apps.
    use_kind: ClassVar[str | None] = None
    """The `kind` an app writes under `uses:` to bind to this section, or None."""

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        """Problems of one app's binding to this section: the section missing, an
        undeclared topic, bucket, app or port. `path` is the binding's."""
        return ()

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        """What the app is handed: values (literals, Secret keys), env aliases and the
        peers its egress admits. What the section creates for the binding (a role, a
        user, a key) and which pods its own NetworkPolicy admits live in the section's
        `args.py`, which reads the apps bound to it (`apps.bound.uses_of`)."""
        raise NotImplementedError(f"section `{self.key}` has no bindings")

    def grants(self, use: Data) -> frozenset[str]:
        """What one binding (as written) allows, as plan phrases, e.g. "`readWrite` on
        bucket `raw-logs`"; `shipyard plan` reports the ones gained and lost."""
        return frozenset()

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        """What a Prometheus should scrape of this section's workloads when the blueprint
        declares `spec.monitoring`: pods or a Service by labels, a port, and the exporter
        that answers there (which decides the panels and alerts they get)."""
        return []
