"""`spec.gateway` problems reported as `FILE:LINE:COL: field.path: message`."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shipyard.blueprint import load_blueprint
from tests.blueprint.located import line_column, load_problems

DEV = Path(__file__).resolve().parents[3] / "blueprints" / "dev.yaml"


at = line_column
problems = partial(load_problems, "bp.yaml")


def test_the_dev_blueprint_is_valid() -> None:
    platform = load_blueprint(DEV)
    assert platform.spec.gateway is not None
    assert [route.model for route in platform.spec.gateway.routes] == ["qwen-small"]


def test_a_route_naming_an_undeclared_model(tmp_path: Path) -> None:
    text = DEV.read_text().replace("      - model: qwen-small", "      - model: qwen-smal")
    line, column = at(text, "model: qwen-smal\n")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.routes[0].model: no model named `qwen-smal` "
        "(did you mean `qwen-small`?); declared models: qwen-small"
    ]


def test_a_fallback_naming_an_undeclared_model(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        aliases: [default]\n", "        aliases: [default]\n        fallbacks: [llama]\n"
    )
    line, column = at(text, "llama]")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.routes[0].fallbacks[0]: no model named `llama`; "
        "declared models: qwen-small"
    ]


def test_a_model_cannot_fall_back_to_itself(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        aliases: [default]\n",
        "        aliases: [default]\n        fallbacks: [qwen-small]\n",
    )
    line, column = at(text, "qwen-small]")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.routes[0].fallbacks[0]: "
        "`qwen-small` cannot fall back to itself"
    ]


def test_an_alias_cannot_shadow_a_served_name(tmp_path: Path) -> None:
    text = DEV.read_text().replace("aliases: [default]", "aliases: [qwen2.5-0.5b-instruct]")
    line, column = at(text, "qwen2.5-0.5b-instruct]")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.routes[0].aliases[0]: "
        "`qwen2.5-0.5b-instruct` is already a model's served name"
    ]


def test_limits_must_be_positive(tmp_path: Path) -> None:
    text = DEV.read_text().replace("limits: {rpm: 600, tpm: 200000}", "limits: {rpm: 0, tpm: -1}")
    line, _ = at(text, "limits: {rpm: 0")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{at(text, 'rpm: 0')[1]}: spec.gateway.routes[0].limits.rpm: "
        "Input should be greater than 0",
        f"bp.yaml:{line}:{at(text, 'tpm: -1')[1]}: spec.gateway.routes[0].limits.tpm: "
        "Input should be greater than 0",
    ]


EXPOSED = """\
    exposure:
      type: ingress
      host: llm.example.com
"""


def test_a_public_endpoint_needs_tls_and_authentication(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        limits: {rpm: 600, tpm: 200000}\n",
        "        limits: {rpm: 600, tpm: 200000}\n    authentication: false\n" + EXPOSED,
    )
    # Neither key is written, so both point at `exposure`.
    line, column = at(text, "exposure:")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.exposure.public: "
        "a public endpoint requires authentication",
        f"bp.yaml:{line}:{column}: spec.gateway.exposure.tls: a public endpoint requires TLS",
    ]


def test_tls_names_exactly_one_source(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        limits: {rpm: 600, tpm: 200000}\n",
        "        limits: {rpm: 600, tpm: 200000}\n" + EXPOSED + "      tls: {}\n",
    )
    line, column = at(text, "tls: {}")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.exposure.tls: "
        "set exactly one of `certManagerIssuer` or `secretName`"
    ]


def test_an_exposed_ingress_with_tls_and_auth_is_valid(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        limits: {rpm: 600, tpm: 200000}\n",
        "        limits: {rpm: 600, tpm: 200000}\n"
        + EXPOSED
        + "      tls: {secretName: llm-tls}\n",
    )
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    gateway = load_blueprint(path).spec.gateway
    assert gateway is not None and gateway.exposure is not None
    assert gateway.exposure.tls is not None and gateway.exposure.tls.secret_name == "llm-tls"


POSTGRES = """  postgres:
    instances: 1
    storage: {size: 10Gi}
"""


def test_virtual_keys_without_a_postgres(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        limits: {rpm: 600, tpm: 200000}\n",
        "        limits: {rpm: 600, tpm: 200000}\n    keyLimits: {rpm: 60}\n    virtualKeys: {}\n",
    )
    line, column = at(text, "virtualKeys: {}")
    assert problems(tmp_path, text) == [
        f"bp.yaml:{line}:{column}: spec.gateway.virtualKeys: virtual keys need a Postgres: "
        "declare `spec.postgres`, or name an existing one with `databaseUrlSecret` and "
        "`database`"
    ]


def test_virtual_keys_use_the_blueprints_postgres(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        limits: {rpm: 600, tpm: 200000}\n",
        "        limits: {rpm: 600, tpm: 200000}\n    keyLimits: {rpm: 60}\n    virtualKeys: {}\n",
    )
    path = tmp_path / "bp.yaml"
    path.write_text(text + POSTGRES)
    platform = load_blueprint(path)
    assert platform.spec.gateway is not None and platform.spec.gateway.virtual_keys is not None


def test_an_existing_database_needs_both_fields(tmp_path: Path) -> None:
    text = DEV.read_text().replace(
        "        limits: {rpm: 600, tpm: 200000}\n",
        "        limits: {rpm: 600, tpm: 200000}\n"
        "    virtualKeys:\n"
        "      databaseUrlSecret: {name: db, key: url}\n",
    )
    line, column = at(text, "databaseUrlSecret")
    assert problems(tmp_path, text + POSTGRES) == [
        f"bp.yaml:{line}:{column}: spec.gateway.virtualKeys.databaseUrlSecret: "
        "`databaseUrlSecret` needs `database` beside it to name an existing Postgres; "
        "leave both out to use `spec.postgres`"
    ]
