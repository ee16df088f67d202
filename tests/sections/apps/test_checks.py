"""Every rule of `spec.apps` and its bindings, with its message at FILE:LINE:COL."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from shipyard.blueprint.loader import load_with_advisories
from tests.blueprint.located import load_problems, load_text, located_at
from tests.sections.apps.base import BASE, FILE

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_the_base_is_valid(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    assert [app.name for app in platform.spec.apps] == ["backend", "worker"]


def test_two_apps_with_one_name(tmp_path: Path) -> None:
    text = BASE.replace("    - name: worker\n", "    - name: backend\n")
    assert (
        f"{at(text, 'name: backend', 1)}: spec.apps[1].name: `backend` is used more than once"
        in problems(tmp_path, text)
    )


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "message"),
    [
        (
            "          database: backend\n",
            "          database: backend\n        - kind: gatway\n",
            "kind: gatway",
            "spec.apps[0].uses[1].kind",
            "unknown kind `gatway` (did you mean `gateway`?); use one of 'postgres', 'events', "
            "'objectStore', 'analytics', 'gateway', 'cache', 'app', 'chart'",
        ),
        (
            "          consume: [results]\n",
            "          consume: [reslts]\n",
            "reslts",
            "spec.apps[0].uses[1].consume[0]",
            "no topic named `reslts` (did you mean `results`?); declared topics: tasks, "
            "results, audit",
        ),
        (
            "            - {name: raw-logs, access: read}\n",
            "            - {name: raw-log, access: read}\n",
            "name: raw-log,",
            "spec.apps[0].uses[2].buckets[0].name",
            "no bucket named `raw-log` (did you mean `raw-logs`?); declared buckets: "
            "raw-logs, datasets",
        ),
        (
            "          app: backend\n",
            "          app: bakend\n",
            "app: bakend",
            "spec.apps[1].uses[1].app",
            "no app named `bakend` (did you mean `backend`?); declared apps: backend",
        ),
        (
            "          app: backend\n",
            "          app: backend\n          port: htp\n",
            "port: htp",
            "spec.apps[1].uses[1].port",
            "app `backend` has no port named `htp` (did you mean `http`?); its ports: http",
        ),
        (
            "      nodePool: system\n      replicas: 2\n",
            "      nodePool: sytem\n      replicas: 2\n",
            "nodePool: sytem",
            "spec.apps[0].nodePool",
            "no node pool named `sytem` (did you mean `system`?); declared pools: system",
        ),
        (
            "          env: {DATABASE_URL: uri}\n",
            "          env: {DATABASE_URL: url}\n",
            "DATABASE_URL: url",
            "spec.apps[0].uses[0].env.DATABASE_URL",
            "`url` is not a value of this binding (did you mean `uri`?); its values: host, port, "
            "database, username, password, uri, sslmode",
        ),
    ],
)
def test_a_typo_in_a_binding_target_fails_at_its_line_with_a_did_you_mean(
    tmp_path: Path, old: str, new: str, needle: str, field: str, message: str
) -> None:
    text = BASE.replace(old, new)
    assert text != BASE
    assert f"{at(text, needle)}: {field}: {message}" in problems(tmp_path, text)


def test_a_binding_to_a_section_the_blueprint_lacks(tmp_path: Path) -> None:
    start, end = BASE.index("  analytics:\n"), BASE.index("  events:\n")
    text = BASE[:start] + BASE[end:]
    assert (
        f"{at(text, 'kind: analytics')}: spec.apps[0].uses[3].kind: app `backend` binds to "
        "`analytics` but the blueprint has no `spec.analytics`; declare it or remove the binding"
    ) in problems(tmp_path, text)


CPU = 'cpu: "6"'


def test_an_app_whose_requests_do_not_fit_a_node(tmp_path: Path) -> None:
    text = BASE.replace(
        "      replicas: 2\n", '      replicas: 2\n      resources: {cpu: "6", memory: 8Gi}\n'
    )
    assert (
        f"{at(text, CPU)}: spec.apps[0].resources.cpu: a pod requests 6 cores but "
        "one `m7i.xlarge` node of pool `system` has 3.92 cores for pods; lower the request or "
        "use a larger instance type"
    ) in problems(tmp_path, text)


def test_pool_capacity_counts_apps_requests(tmp_path: Path) -> None:
    text = BASE.replace(
        "      replicas: 2\n", '      replicas: 4\n      resources: {cpu: "3", memory: 4Gi}\n'
    )
    [problem] = problems(tmp_path, text)
    assert problem == (
        f"{at(text, 'max: 3')}: spec.nodePools[0].size.max: apps on pool "
        "`system` request up to 12.4 cores of cpu (apps 12.4) but 3 `m7i.xlarge` node(s) give "
        "pods 11.8; raise `size.max` or lower the requests"
    )


def test_a_credential_looking_literal_is_refused(tmp_path: Path) -> None:
    text = BASE.replace(
        "      replicas: 2\n",
        "      replicas: 2\n      env:\n        - {name: STRIPE_API_KEY, value: abc}\n",
    )
    assert (
        f"{at(text, 'value: abc')}: spec.apps[0].env[0].value: env `STRIPE_API_KEY` "
        "looks like a credential; take it from a Secret: `secret: {name: <secret>, key: <key>}`"
    ) in problems(tmp_path, text)


def test_env_collisions_between_bindings(tmp_path: Path) -> None:
    text = BASE.replace(
        "        - kind: analytics\n", "        - kind: analytics\n          name: postgres\n"
    )
    found = problems(tmp_path, text)
    assert any(
        "spec.apps[0].uses[3].name: two bindings are named `postgres`" in line for line in found
    )


def test_latest_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("backend:1.4.2", "backend:latest")
    assert any(
        "spec.apps[0].image" in line and "uses `latest`" in line
        for line in problems(tmp_path, text)
    )


def test_scale_to_zero_needs_keda(tmp_path: Path) -> None:
    text = BASE.replace("        kafkaLag: {lagThreshold: 5}\n", "        cpuUtilization: 70\n")
    assert (
        f"{at(text, 'minReplicas: 0')}: spec.apps[1].autoscaling.minReplicas: `minReplicas: 0` "
        "needs KEDA (`kafkaLag` or `prometheus`)"
    ) in problems(tmp_path, text)


def test_kafka_lag_needs_a_consumed_topic(tmp_path: Path) -> None:
    text = BASE.replace("          consume: [tasks]\n", "")
    assert any(
        "spec.apps[1].autoscaling.kafkaLag: `kafkaLag` scales on the lag" in line
        for line in problems(tmp_path, text)
    )


def test_an_app_name_taken_by_another_workload(tmp_path: Path) -> None:
    text = BASE.replace("    - name: worker\n", "    - name: postgres\n")
    assert any(
        "spec.apps[1].name: `postgres` already names Postgres in the namespace" in line
        for line in problems(tmp_path, text)
    )


def test_two_apps_cannot_own_one_database(tmp_path: Path) -> None:
    text = BASE.replace(
        "        - kind: app\n          app: backend\n",
        "        - kind: app\n          app: backend\n"
        "        - {kind: postgres, database: backend}\n",
    )
    assert any(
        "database `backend` would be owned by app `backend`" in line
        for line in problems(tmp_path, text)
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      nodePool: system\n      autoscaling:",
            "      nodePool: system\n      workload: cronJob\n      autoscaling:",
            "a `cronJob` needs a `schedule`",
        ),
        (
            "      replicas: 2\n",
            "      replicas: 2\n      schedule: '0 3 * * *'\n",
            "`schedule` is for `workload: cronJob`",
        ),
        (
            "      replicas: 2\n",
            "      replicas: 2\n      volumeClaims: [{name: data, mountPath: /data, size: 1Gi}]\n",
            "volume claims need `workload: statefulSet`",
        ),
    ],
)
def test_workload_specific_fields(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = BASE.replace(old, new)
    assert text != BASE
    assert any(message in line for line in problems(tmp_path, text))


def test_a_public_exposure_needs_tls_and_authentication(tmp_path: Path) -> None:
    text = BASE.replace(
        "      replicas: 2\n",
        "      replicas: 2\n      expose: {type: ingress, host: api.acme.example.com}\n",
    )
    found = problems(tmp_path, text)
    assert (
        f"{at(text, 'expose:')}: spec.apps[0].expose.public: a public endpoint requires "
        "authentication: set `authenticated: true` if the app authenticates its clients, or "
        "`public: false`" in found
    )
    assert (
        f"{at(text, 'expose:')}: spec.apps[0].expose.tls: a public endpoint requires TLS" in found
    )


def test_consuming_an_unproduced_topic_is_an_advisory(tmp_path: Path) -> None:
    text = BASE.replace("          consume: [results]\n", "          consume: [results, audit]\n")
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    platform, advisories = load_with_advisories(path, name=FILE)
    assert platform.spec.apps
    assert [a.render(FILE) for a in advisories] == [
        f"{at(text, 'audit]')}: spec.apps[0].uses[1].consume[1]: app `backend` consumes `audit`, "
        "which no app produces; set `externalProducers: true` on the topic if its producers are "
        "outside the blueprint"
    ]
    external = text.replace(
        "      - {name: audit}\n", "      - {name: audit, externalProducers: true}\n"
    )
    path.write_text(external, encoding="utf-8")
    assert load_with_advisories(path, name=FILE)[1] == []
