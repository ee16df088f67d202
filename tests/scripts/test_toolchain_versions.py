"""scripts/toolchain.versions agrees with the Python pins and with the components' own
versions, so the e2e runs the operators and SDK that Shipyard deploys and imports."""

from __future__ import annotations

import tomllib
from pathlib import Path

from components.postgres.args import CNPG_VERSION
from components.ray.args import KUBERAY_VERSION

ROOT = Path(__file__).resolve().parents[2]


def pins() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (ROOT / "scripts" / "toolchain.versions").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            out[key] = value
    return out


def test_operators_built_for_the_e2e_are_the_versions_components_install() -> None:
    assert pins()["KUBERAY_VERSION"] == KUBERAY_VERSION == "1.6.2"
    assert pins()["CLOUDNATIVE_PG_VERSION"] == CNPG_VERSION == "1.29.0"


def test_python_sdk_pins_match_the_cli_and_provider() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = pins()
    deps = {dep.split("==")[0].split("[")[0]: dep for dep in project["dependencies"]}
    assert deps["pulumi"] == f"pulumi=={wanted['PULUMI_SDK_VERSION']}"
    assert (
        deps["pulumi-kubernetes"] == f"pulumi-kubernetes=={wanted['PULUMI_KUBERNETES_SDK_VERSION']}"
    )
    assert wanted["PULUMI_SDK_VERSION"] == wanted["PULUMI_CLI_VERSION"]
    # The language host is older than the CLI (docs/e2e.md says why); never newer.
    host = tuple(int(part) for part in wanted["PULUMI_PYTHON_HOST_VERSION"].split("."))
    cli = tuple(int(part) for part in wanted["PULUMI_CLI_VERSION"].split("."))
    assert host <= cli
