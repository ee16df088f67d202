"""The object store in the platform's picture, in the data layer: an S3 bucket, or a MinIO
store (its servers collapsed) holding its buckets; apps and MinIO consumers reach buckets
with `read` or `readWrite`."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Group, Node, digest, node_id
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.object_store.model import MinioObjectStore, ObjectStoreUse

BUCKET_KIND = "bucket"
MINIO_KIND = "minio"
CLIENT_KIND = "minioUser"
MINIO_ACCESS = {"readonly": "read", "readwrite": "readWrite"}
"""A MinIO consumer's `access` in the words of an app's binding."""


def bucket_node_id(name: str) -> str:
    return node_id(BUCKET_KIND, name)


def _minio(store: MinioObjectStore, part: GraphPart) -> None:
    group = node_id(MINIO_KIND, store.name)
    part.groups.append(
        Group(
            group,
            MINIO_KIND,
            f"MinIO {store.name}",
            "data",
            (f"{store.servers} server{'' if store.servers == 1 else 's'}",),
            digest(store, exclude={"buckets", "consumers"}),
        )
    )
    for bucket in store.buckets:
        details = [
            text
            for on, text in ((bucket.versioning, "versioned"), (bucket.object_lock, "object lock"))
            if on
        ]
        part.nodes.append(
            Node(
                bucket_node_id(bucket.name),
                BUCKET_KIND,
                bucket.name,
                "data",
                tuple(details),
                "trapezoid",
                group,
                digest(bucket),
            )
        )
    for consumer in store.consumers:
        me = node_id(CLIENT_KIND, consumer.name)
        part.nodes.append(
            Node(
                me,
                CLIENT_KIND,
                consumer.name,
                "apps",
                ("MinIO user",),
                "stadium",
                digest=digest(consumer),
            )
        )
        for bucket_name in consumer.buckets:
            part.edges.append(
                Edge(me, bucket_node_id(bucket_name), "bucket", MINIO_ACCESS[consumer.access])
            )


def object_store_graph(platform: Platform) -> GraphPart:
    store = platform.spec.object_store
    if store is None:
        return GraphPart()
    part = GraphPart()
    if isinstance(store, MinioObjectStore):
        _minio(store, part)
    else:
        part.nodes.append(
            Node(
                bucket_node_id(store.bucket),
                BUCKET_KIND,
                store.bucket,
                "data",
                (f"S3 · {store.encryption}",),
                "trapezoid",
                digest=digest(store),
            )
        )
    for app, use in uses_of(platform, "objectStore"):
        assert isinstance(use, ObjectStoreUse)
        for grant in use.buckets:
            part.edges.append(
                Edge(app_node_id(app.name), bucket_node_id(grant.name), "bucket", grant.access)
            )
    return part
