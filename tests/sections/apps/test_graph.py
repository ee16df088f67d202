"""The apps in the picture: a node per app with its workload and replicas, its host, the
apps it calls on a port, and the GPU pool of an app that takes GPUs."""

from __future__ import annotations

from pathlib import Path

from shipyard.sections.apps.graph import apps_graph
from tests.graph.everything import EVERYTHING, edges, everything, nodes, replace_text


def test_apps_hosts_app_bindings_and_gpu_pools(tmp_path: Path) -> None:
    part = apps_graph(everything(tmp_path))
    assert nodes(part) == {
        "app/backend": ("backend", "apps", ("deployment x2 · pool system",), "round", None),
        "app/frontend": ("frontend", "apps", ("deployment x1",), "round", None),
        "app/embedder": ("embedder", "apps", ("deployment x0-2 · KEDA",), "round", None),
        "host/app.acme.example.com": (
            "app.acme.example.com",
            "ingress",
            ("ingress · internal",),
            "lean",
            None,
        ),
    }
    assert edges(part) == {
        ("app/embedder", "nodePool/gpu", "runsOn"): "0-2 x 1 GPU",
        ("host/app.acme.example.com", "app/frontend", "exposes"): "",
        ("app/frontend", "app/backend", "app"): "http",
    }


def test_jobs_cron_jobs_hpa_and_a_routed_path(tmp_path: Path) -> None:
    apps = """\
    - name: nightly
      image: registry.example.com/acme/nightly:1.0.0
      workload: cronJob
      schedule: "0 3 * * *"
    - name: migrate
      image: registry.example.com/acme/migrate:1.0.0
      workload: job
    - name: web
      image: registry.example.com/acme/web:1.0.0
      ports:
        - {name: http, port: 8080}
      autoscaling: {minReplicas: 2, maxReplicas: 5, cpuUtilization: 70}
      expose:
        type: httpRoute
        host: web.acme.example.com
        path: /web
        authenticated: true
        parentRef: {name: public, sectionName: https}
"""
    text = replace_text(EVERYTHING, "  apps:\n", "  apps:\n" + apps)
    drawn = nodes(apps_graph(everything(tmp_path, text)))
    assert drawn["app/nightly"][2] == ("cronJob 0 3 * * *",)
    assert drawn["app/migrate"][2] == ("job",)
    assert drawn["app/web"][2] == ("deployment x2-5 · HPA",)
    assert drawn["host/web.acme.example.com"][2] == ("httpRoute · TLS · /web",)
