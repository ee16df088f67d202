"""`spec.gateway`: one OpenAI-compatible endpoint (LiteLLM) in front of every model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.gateway.checks import check_gateway
from shipyard.sections.section import Data, Section, SummaryEntry

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


PUBLIC_EGRESS = "the gateway may now reach public addresses on port 443 (never private ones)"


def _describe_hosted(item: Data) -> str:
    """ "`openai` `gpt-4o-mini`; the gateway may now reach public addresses ..."."""
    return f"`{item.get('provider')}` `{item.get('model')}`; {PUBLIC_EGRESS}"


def _describe_key(item: Data) -> str:
    return f"its own key in the Secret `<gateway>-{item.get('name')}-key`"


class GatewaySection(Section):
    name = "gateway"
    key = "gateway"
    compose_after = ("cluster", "models", "analytics", "cache", "object_store")
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "gateway"), "gateway"),
        SummaryEntry(("spec", "gateway", "routes"), "gateway route", "model"),
        SummaryEntry(
            ("spec", "gateway", "hostedModels"), "hosted model", "name", describe=_describe_hosted
        ),
        SummaryEntry(("spec", "gateway", "keys"), "gateway key", "name", describe=_describe_key),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_gateway(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.gateway.compose import compose_gateway

        compose_gateway(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.gateway is None:
            return {}
        return {"gateway": {"url": composed.gateway.url}}

    use_kind = "gateway"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.gateway.binding import check_gateway_use

        return check_gateway_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.gateway.binding import bind_gateway

        return bind_gateway(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.gateway.binding import gateway_grants

        return gateway_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.gateway.graph import gateway_graph

        return gateway_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.gateway.targets import gateway_scrape_targets

        return gateway_scrape_targets(platform)


SECTION = GatewaySection()
