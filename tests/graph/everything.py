"""One blueprint with every section that draws itself and every binding kind, shared by the
graph tests: a GPU pool and a CPU pool, two models with a fallback, a hosted model, the
gateway exposed with its keys in Postgres and its limits in the cache, Ray with a head and
two worker groups, MinIO with buckets and a consumer, Postgres backing up to a bucket,
ClickHouse taking the gateway's logs, Kafka with topics and a declared user, the reconciler,
and apps using postgres, events, objectStore, analytics, gateway, cache, app and chart bindings
(one exposed, one on a GPU), a chart and a manifest file."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shipyard.blueprint import Platform
from shipyard.graph.model import GraphPart
from tests.blueprint.located import load_text

FILE = "everything.yaml"

EVERYTHING = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: local}
  namespace: acme
  nodePools:
    - name: system
      instanceType: m7i.2xlarge
      size: {min: 1, max: 3}
    - name: gpu
      instanceType: g5.xlarge
      size: {min: 1, max: 8, desired: 2}
  models:
    - name: small
      model: Qwen/Qwen2.5-0.5B-Instruct
      nodePool: gpu
      replicas: 2
      maxModelLen: 8192
    - name: backup-model
      model: Qwen/Qwen2.5-1.5B-Instruct
      nodePool: gpu
      maxModelLen: 8192
  gateway:
    replicas: 2
    routes:
      - model: small
        aliases: [default]
        fallbacks: [backup-model]
    hostedModels:
      - name: hosted-model
        provider: openai
        model: gpt-4o-mini
        credentialSecret: {name: openai-api-key, key: api-key}
        aliases: [gpt]
        fallbacks: [backup-model]
    virtualKeys: {}
    exposure:
      type: ingress
      host: llm.acme.example.com
      tls:
        secretName: llm-tls
  ray:
    head:
      nodePool: system
    workerGroups:
      - {name: cpu, nodePool: system, minReplicas: 0, maxReplicas: 2}
      - {name: gpus, nodePool: gpu, gpusPerWorker: 1, minReplicas: 0, maxReplicas: 1}
  objectStore:
    provider: minio
    servers: 1
    drivesPerServer: 1
    storage: {size: 10Gi}
    tls:
      certManagerIssuer: {name: ca}
    buckets:
      - {name: raw-logs, versioning: true}
      - {name: backups}
    consumers:
      - name: loader
        podLabels: {app: loader}
        buckets: [raw-logs]
        access: readonly
  postgres:
    instances: 2
    storage: {size: 10Gi}
    database: acme
    owner: acme
    backup: {bucket: backups}
    vectorStores:
      - {table: documents, dimension: 384}
  cache:
    provider: valkey
    storage: {size: 5Gi}
    tls:
      certManagerIssuer: {name: ca}
  analytics:
    storage: {size: 10Gi}
  events:
    brokers:
      replicas: 1
      storage: {size: 10Gi}
    controllers: {replicas: 1}
    topics:
      - {name: tasks, partitions: 6}
      - {name: results}
    users:
      - name: auditor
        podLabels: {app: auditor}
        acls:
          - {type: topic, name: res, patternType: prefix, operations: [Read, Describe]}
  gitops:
    repo: https://git.example.com/acme/platform.git
    branch: main
    image: registry.example.com/acme/shipyard:0.1.0
    pulumi: {backendUrl: "s3://acme-pulumi-state"}
  manifests:
    - path: objects.yaml
  charts:
    - name: vectors
      repository: https://qdrant.github.io/qdrant-helm
      chart: qdrant
      version: 1.15.5
  apps:
    - name: backend
      image: registry.example.com/acme/backend:1.4.2
      nodePool: system
      replicas: 2
      ports:
        - {name: http, port: 8080}
      uses:
        - kind: postgres
          database: backend
        - kind: events
          produce: [tasks]
          consume: [results]
        - kind: objectStore
          buckets:
            - {name: raw-logs, access: readWrite}
        - kind: analytics
        - kind: gateway
        - kind: cache
        - {kind: chart, chart: vectors, service: vectors, port: 6333}
    - name: frontend
      image: registry.example.com/acme/frontend:1.4.2
      ports:
        - {name: http, port: 8080}
      expose:
        type: ingress
        host: app.acme.example.com
        public: false
      uses:
        - kind: app
          app: backend
        - kind: postgres
    - name: embedder
      image: registry.example.com/acme/embedder:1.4.2
      nodePool: gpu
      resources: {cpu: "1", memory: 4Gi, gpus: 1}
      autoscaling:
        minReplicas: 0
        maxReplicas: 2
        kafkaLag: {lagThreshold: 5}
      uses:
        - kind: events
          consume: [tasks]
          produce: [results]
        - kind: analytics
          readonly: false
        - kind: cache
          access: read
          keyPrefix: "backend:"
"""

load = partial(load_text, FILE)


OBJECTS = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {colour: blue}\n"
"""`objects.yaml`, the one manifest file of the blueprint."""


def everything(tmp_path: Path, text: str = EVERYTHING) -> Platform:
    (tmp_path / "objects.yaml").write_text(OBJECTS, encoding="utf-8")
    return load(tmp_path, text)


def nodes(part: GraphPart) -> dict[str, tuple[str, str, tuple[str, ...], str, str | None]]:
    """Node id -> (label, layer, details, shape, group)."""
    return {n.id: (n.label, n.layer, n.details, n.shape, n.group) for n in part.nodes}


def edges(part: GraphPart) -> dict[tuple[str, str, str], str]:
    """(source, target, kind) -> label."""
    return {edge.key: edge.label for edge in part.edges}


def replace_text(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)
