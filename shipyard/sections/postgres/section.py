"""`spec.postgres`: PostgreSQL with pgvector on CloudNativePG, with vector stores and
backups to the object store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.postgres.checks import check_postgres
from shipyard.sections.section import Data, Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


class PostgresSection(Section):
    name = "postgres"
    key = "postgres"
    compose_after = ("cluster", "object_store")
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "postgres"), "Postgres"),
        SummaryEntry(("spec", "postgres", "vectorStores"), "vector store", "table"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_postgres(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.postgres.compose import compose_postgres

        compose_postgres(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.postgres is None:
            return {}
        db = composed.postgres
        # Connection details only; the password stays in the Secret `secretName`.
        return {
            "postgres": {
                "host": db.host,
                "port": db.port,
                "database": db.database,
                "secretName": db.secret_name,
            }
        }

    def volumes(self, platform: Platform) -> list[Volume]:
        from shipyard.cost import quantity_gib

        spec = platform.spec.postgres
        if spec is None:
            return []
        return [Volume("postgres", spec.instances, quantity_gib(spec.storage.size))]

    use_kind = "postgres"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.postgres.binding import check_postgres_use

        return check_postgres_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.postgres.binding import bind_postgres

        return bind_postgres(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.postgres.binding import postgres_grants

        return postgres_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.postgres.graph import postgres_graph

        return postgres_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.postgres.targets import postgres_scrape_targets

        return postgres_scrape_targets(platform)


SECTION = PostgresSection()
