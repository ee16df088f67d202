"""`spec.objectStore`: an S3 bucket (on EKS) or MinIO in the cluster, with its buckets and
consumers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.object_store.checks import check_object_store
from shipyard.sections.object_store.model import MinioObjectStore, S3ObjectStore
from shipyard.sections.section import Data, Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


class ObjectStoreSection(Section):
    name = "object_store"
    key = "objectStore"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "objectStore"), "object store"),
        SummaryEntry(("spec", "objectStore", "buckets"), "bucket", "name"),
        SummaryEntry(("spec", "objectStore", "consumers"), "object store consumer", "name"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_object_store(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.object_store.compose import compose_object_store

        compose_object_store(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.object_store is not None:
            store = composed.object_store
            return {"objectStore": {"bucket": store.bucket_name, "roleArn": store.role_arn}}
        if composed.minio is not None:
            minio = composed.minio
            # Endpoint and Secret names; the keys stay in the Secrets.
            return {
                "objectStore": {
                    "endpoint": minio.endpoint,
                    "buckets": minio.buckets,
                    "tlsSecretName": minio.tls_secret_name,
                    "userSecretNames": minio.user_secret_names,
                }
            }
        return {}

    def volumes(self, platform: Platform) -> list[Volume]:
        from shipyard.cost import quantity_gib

        store = platform.spec.object_store
        if not isinstance(store, MinioObjectStore):
            return []
        # servers x drives PVCs
        drives = store.servers * store.drives_per_server
        return [Volume("minio", drives, quantity_gib(store.storage.size))]

    def cost_assumptions(self, platform: Platform) -> list[str]:
        if isinstance(platform.spec.object_store, S3ObjectStore):
            return [
                "object storage (S3 storage, requests, KMS) is not priced, but for staged "
                "model weights (S3 Standard storage)"
            ]
        return []

    use_kind = "objectStore"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.object_store.binding import check_object_store_use

        return check_object_store_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.object_store.binding import bind_object_store

        return bind_object_store(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.object_store.binding import object_store_grants

        return object_store_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.object_store.graph import object_store_graph

        return object_store_graph(platform)


SECTION = ObjectStoreSection()
