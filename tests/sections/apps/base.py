"""A blueprint with every bindable section and two apps, shared by the apps tests."""

from __future__ import annotations

FILE = "apps.yaml"

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: local}
  namespace: acme
  nodePools:
    - name: system
      instanceType: m7i.xlarge
      size: {min: 1, max: 3}
  postgres:
    instances: 1
    storage: {size: 10Gi}
    database: acme
    owner: acme
  objectStore:
    provider: minio
    servers: 1
    drivesPerServer: 1
    storage: {size: 10Gi}
    tls:
      certManagerIssuer: {name: ca}
    buckets:
      - {name: raw-logs}
      - {name: datasets}
  analytics:
    storage: {size: 10Gi}
  events:
    brokers:
      replicas: 1
      storage: {size: 10Gi}
    controllers: {replicas: 1}
    topics:
      - {name: tasks}
      - {name: results}
      - {name: audit}
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
          env: {DATABASE_URL: uri}
        - kind: events
          produce: [tasks]
          consume: [results]
        - kind: objectStore
          buckets:
            - {name: raw-logs, access: read}
        - kind: analytics
    - name: worker
      image: registry.example.com/acme/worker:1.4.2
      nodePool: system
      autoscaling:
        minReplicas: 0
        maxReplicas: 4
        kafkaLag: {lagThreshold: 5}
      uses:
        - kind: events
          produce: [results]
          consume: [tasks]
        - kind: app
          app: backend
"""
