"""Blueprint sections turned into gateway arguments: virtual keys wired to `spec.postgres`."""

from __future__ import annotations

from pathlib import Path

from components.gateway.args import EgressPeer
from components.gateway.manifests import render_deployment, render_network_policy
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint import load_blueprint
from shipyard.sections.gateway.args import gateway_args

ROOT = Path(__file__).resolve().parents[3]


def test_prod_virtual_keys_use_the_blueprints_postgres() -> None:
    platform = load_blueprint(ROOT / "blueprints" / "prod.yaml")
    args = gateway_args(platform)
    assert args is not None and args.virtual_keys is not None
    assert args.virtual_keys.database_url_secret == SecretKeyRef(
        name="postgres-owner-credentials", key="uri"
    )
    assert args.virtual_keys.database == EgressPeer(
        pod_labels={"cnpg.io/cluster": "postgres"}, port=5432
    )
    [container] = render_deployment("ai-gateway", args)["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container["env"]}
    assert env["DATABASE_URL"]["valueFrom"] == {
        "secretKeyRef": {"name": "postgres-owner-credentials", "key": "uri"}
    }
    # The gateway may reach the database's pods, and only on 5432.
    egress = render_network_policy("ai-gateway", args)["spec"]["egress"]
    assert {
        "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "postgres"}}}],
        "ports": [{"port": 5432, "protocol": "TCP"}],
    } in egress


def test_an_existing_database_is_used_as_named(tmp_path: Path) -> None:
    text = (
        (ROOT / "blueprints" / "prod.yaml")
        .read_text()
        .replace(
            "    virtualKeys: {}\n",
            "    virtualKeys:\n"
            "      databaseUrlSecret: {name: litellm-db, key: url}\n"
            "      database:\n"
            "        podLabels: {app.kubernetes.io/name: postgresql}\n"
            "        port: 5432\n",
        )
    )
    path = tmp_path / "prod.yaml"
    path.write_text(text)
    args = gateway_args(load_blueprint(path))
    assert args is not None and args.virtual_keys is not None
    assert args.virtual_keys.database_url_secret == SecretKeyRef(name="litellm-db", key="url")
    assert args.virtual_keys.database.pod_labels == {"app.kubernetes.io/name": "postgresql"}
