"""Apps bound to a chart's Service (`uses: [{kind: chart, chart, service, port}]`): the
Service's host, port and URL, optionally one of the chart's generated credentials, and the
egress to the chart's pods on the port behind the Service (pure)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from components.app.args import AppBinding, BindingValue
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import binding_name, env_prefix, peer
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.charts.args import credential_secret_name
from shipyard.sections.charts.expand import local_chart_objects
from shipyard.sections.charts.model import ChartSpec, ChartUse

NAMESPACE_LABEL = "kubernetes.io/metadata.name"


def _chart(platform: Platform, name: str) -> ChartSpec | None:
    return next((chart for chart in platform.spec.charts if chart.name == name), None)


def _service(objects: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next(
        (
            obj
            for obj in objects
            if obj.get("kind") == "Service" and (obj.get("metadata") or {}).get("name") == name
        ),
        None,
    )


def _named_port(objects: list[dict[str, Any]], port_name: str) -> int | None:
    """The container port called `port_name` in any of the chart's pod templates."""
    for obj in objects:
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in spec.get("containers") or []:
            for port in container.get("ports") or []:
                if port.get("name") == port_name and isinstance(port.get("containerPort"), int):
                    return int(port["containerPort"])
    return None


def target_port(platform: Platform, use: ChartUse) -> int:
    """The pods' port behind the Service: `targetPort` as written, else the expanded
    chart's Service's, else the Service port."""
    if use.target_port is not None:
        return use.target_port
    objects = local_chart_objects(platform).get(use.chart)
    service = _service(objects, use.service or use.chart) if objects else None
    for port in (service or {}).get("spec", {}).get("ports") or []:
        if port.get("port") == use.port:
            target = port.get("targetPort", use.port)
            if isinstance(target, int):
                return target
            return _named_port(objects or [], str(target)) or use.port
    return use.port


def check_chart_use(
    platform: Platform, app: AppSpec, use: ChartUse, path: Path
) -> Iterator[Finding]:
    chart = _chart(platform, use.chart)
    if chart is None:
        hint = did_you_mean(use.chart, [c.name for c in platform.spec.charts])
        yield ((*path, "chart"), f"no chart `{use.chart}` in `spec.charts`{hint}")
        return
    if use.credential is not None and use.credential not in {c.name for c in chart.credentials}:
        yield ((*path, "credential"), f"chart `{chart.name}` has no credential `{use.credential}`")
    objects = local_chart_objects(platform).get(chart.name)
    if objects is None:
        return  # the chart is not here to look into; the binding is taken as written
    name = use.service or chart.name
    service = _service(objects, name)
    if service is None:
        services = [
            (o.get("metadata") or {}).get("name", "") for o in objects if o.get("kind") == "Service"
        ]
        yield (
            (*path, "service"),
            f"chart `{chart.name}` renders no Service `{name}`{did_you_mean(name, services)}",
        )
        return
    ports = [port.get("port") for port in (service.get("spec") or {}).get("ports") or []]
    if use.port not in ports:
        yield (
            (*path, "port"),
            f"Service `{name}` of chart `{chart.name}` has no port {use.port}; it has {ports}",
        )


def bind_chart(platform: Platform, app: AppSpec, use: ChartUse) -> AppBinding:
    chart = _chart(platform, use.chart)
    assert chart is not None  # check_chart_use refuses a binding without it
    namespace = chart.namespace or platform.namespace
    service = use.service or chart.name
    host = f"{service}.{namespace}.svc.cluster.local"
    name = binding_name(use, chart.name)
    values = [
        BindingValue(key="host", value=host),
        BindingValue(key="port", value=str(use.port)),
        BindingValue(key="url", value=f"http://{host}:{use.port}"),
    ]
    credential = next((c for c in chart.credentials if c.name == use.credential), None)
    if credential is not None:
        secret = credential_secret_name(chart, credential.name)
        values += [
            BindingValue(key=key.lower(), secret=SecretKeyRef(name=secret, key=key))
            for key in credential.keys
        ]
    egress = peer(chart.selector, target_port(platform, use))
    if namespace != platform.namespace:
        egress = egress.model_copy(update={"namespace_labels": {NAMESPACE_LABEL: namespace}})
    return AppBinding(
        name=name,
        type="chart",
        provider=chart.chart_name,
        env_prefix=env_prefix(name),
        values=tuple(values),
        egress=(egress,),
    )


def chart_grants(use: dict[str, object]) -> frozenset[str]:
    grant = f"port {use.get('port')} of chart `{use.get('chart')}`"
    if use.get("credential"):
        grant += f" with credential `{use.get('credential')}`"
    return frozenset({grant})
