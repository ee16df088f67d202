"""`spec.postgres`: PostgreSQL with pgvector on CloudNativePG, with vector stores and
backups to the object store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.postgres.checks import check_postgres
from shipyard.sections.section import Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs


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

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.postgres.targets import postgres_scrape_targets

        return postgres_scrape_targets(platform)


SECTION = PostgresSection()
