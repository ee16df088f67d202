"""Apps bound to a chart's Service: checked against the expanded chart, handed the host,
port and the chart's generated credential, and let out to the chart's pods on the port
behind the Service."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from components.app.args import NetworkPeer
from components.shared.secret_refs import SecretKeyRef
from shipyard.sections.charts.binding import bind_chart, chart_grants
from tests.blueprint.located import load_problems, load_text, located_at
from tests.sections.charts.base import BASE, FILE, helm_path

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)

APP = """\
  apps:
    - name: client
      image: registry.example.com/shipyard-tests/client:1.0.0
      uses:
        - {kind: chart, chart: echo, port: 80, credential: api}
"""


@pytest.fixture(autouse=True)
def helm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIPYARD_HELM", str(helm_path()))


def test_the_binding_hands_host_port_and_credential(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE + APP)
    [app] = platform.spec.apps
    binding = bind_chart(platform, app, app.uses[0])
    values = {value.key: value.value or value.secret for value in binding.values}
    assert values == {
        "host": "echo.escape.svc.cluster.local",
        "port": "80",
        "url": "http://echo.escape.svc.cluster.local:80",
        "token": SecretKeyRef(name="echo-api", key="token"),
    }
    # Service port 80 targets the pods' named port `http`, 8080 in the chart's Deployment:
    # the NetworkPolicy admits what the pod listens on.
    assert binding.egress == (
        NetworkPeer(pod_labels={"app.kubernetes.io/instance": "echo"}, ports=(8080,)),
    )
    assert (binding.env_prefix, binding.type, binding.provider) == ("ECHO", "chart", "echo")


def test_an_undeclared_service_is_refused_with_a_did_you_mean(tmp_path: Path) -> None:
    text = BASE + APP.replace("port: 80,", "service: ehco, port: 80,")
    assert problems(tmp_path, text) == [
        f"{at(text, 'service: ehco')}: spec.apps[0].uses[0].service: chart `echo` renders no "
        "Service `ehco` (did you mean `echo`?)"
    ]


def test_a_port_the_service_lacks_is_refused(tmp_path: Path) -> None:
    text = BASE + APP.replace("port: 80,", "port: 8080,")
    [line] = problems(tmp_path, text)
    assert line.endswith("Service `echo` of chart `echo` has no port 8080; it has [80]")


def test_an_undeclared_chart_or_credential_is_refused(tmp_path: Path) -> None:
    text = BASE + APP.replace("chart: echo,", "chart: ecko,")
    assert problems(tmp_path, text) == [
        f"{at(text, 'chart: ecko')}: spec.apps[0].uses[0].chart: no chart `ecko` in "
        "`spec.charts` (did you mean `echo`?)"
    ]
    text = BASE + APP.replace("credential: api", "credential: admin")
    [line] = problems(tmp_path, text)
    assert line.endswith("spec.apps[0].uses[0].credential: chart `echo` has no credential `admin`")


def test_the_plan_names_what_a_binding_grants() -> None:
    assert chart_grants({"chart": "echo", "port": 80, "credential": "api"}) == frozenset(
        {"port 80 of chart `echo` with credential `api`"}
    )
