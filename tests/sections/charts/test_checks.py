"""`spec.charts`: exact versions, values checked against the chart's values.schema.json at
their blueprint lines, literal credentials refused, dependencies that exist."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from shipyard.sections.charts.args import chart_args
from tests.blueprint.located import line_column, load_problems, load_text, located_at
from tests.sections.charts.base import BASE, ECHO, FILE

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_the_test_chart_loads_and_translates(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    args = chart_args(platform, platform.spec.charts[0])
    assert args.chart == str(ECHO)
    assert args.namespace == "escape"
    assert args.repository is None
    assert args.values == {"replicaCount": 2, "existingSecret": "echo-api"}
    [secret] = args.secrets
    assert (secret.name, secret.keys, secret.length) == ("echo-api", ("token",), 32)


@pytest.mark.parametrize("version", ["^0.3.1", "~0.3", ">=0.3.0", "0.3.x", "0.3", "*"])
def test_a_version_range_is_refused(tmp_path: Path, version: str) -> None:
    text = BASE.replace("version: 0.3.1", f'version: "{version}"')
    assert (
        f"{at(text, 'version:')}: spec.charts[0].version: `{version}` is not an exact version; "
        "pin one release, e.g. `1.2.3` (a range would deploy different code as new releases "
        "appear)" in problems(tmp_path, text)
    )


def test_a_local_chart_must_be_the_version_pinned(tmp_path: Path) -> None:
    text = BASE.replace("version: 0.3.1", "version: 0.3.2")
    assert problems(tmp_path, text) == [
        f"{at(text, 'version:')}: spec.charts[0].version: the chart at `{ECHO}` is version "
        "`0.3.1` (its Chart.yaml), not `0.3.2`"
    ]


def test_values_are_checked_against_the_charts_schema_at_their_lines(tmp_path: Path) -> None:
    text = BASE.replace(
        "replicaCount: 2", "replicaCount: 20\n        port: 80\n        colour: red"
    )
    lines = problems(tmp_path, text)
    assert lines == [
        f"{at(text, 'replicaCount')}: spec.charts[0].values.replicaCount: `replicaCount`: 20 "
        "is greater than the maximum of 10 (the chart's values.schema.json)",
        f"{at(text, 'port: 80')}: spec.charts[0].values.port: `port`: 80 is less than the "
        "minimum of 1024 (the chart's values.schema.json)",
        f"{at(text, 'colour')}: spec.charts[0].values.colour: `colour` is not a value of this "
        "chart (the chart's values.schema.json)",
    ]


def test_a_misspelt_value_gets_a_did_you_mean(tmp_path: Path) -> None:
    text = BASE.replace("replicaCount: 2", "replicaCont: 2")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicaCont')}: spec.charts[0].values.replicaCont: `replicaCont` is not a "
        "value of this chart (did you mean `replicaCount`?) (the chart's values.schema.json)"
    ]


def test_a_values_file_is_merged_before_inline_values(tmp_path: Path) -> None:
    (tmp_path / "echo-values.yaml").write_text("replicaCount: 3\nport: 9090\n")
    text = BASE.replace("      values:\n", "      valuesFiles: [echo-values.yaml]\n      values:\n")
    platform = load(tmp_path, text)
    values = chart_args(platform, platform.spec.charts[0]).values
    assert values == {"replicaCount": 2, "port": 9090, "existingSecret": "echo-api"}


def test_a_literal_credential_in_values_is_refused(tmp_path: Path) -> None:
    text = BASE.replace(
        "existingSecret: echo-api",
        "existingSecret: echo-api\n        adminPassword: hunter2hunter2",
    )
    [line] = [line for line in problems(tmp_path, text) if "credential" in line]
    assert line.startswith(f"{at(text, 'adminPassword')}: spec.charts[0].values.adminPassword: ")
    assert "looks like a credential; a literal credential in values is refused" in line
    assert "hunter2" not in line


def test_a_known_token_format_is_refused_under_any_key(tmp_path: Path) -> None:
    token = "hf_" + "a" * 34
    text = BASE.replace(
        "existingSecret: echo-api", f"existingSecret: echo-api\n        extraArgs: [--hub, {token}]"
    )
    lines = problems(tmp_path, text)
    [line] = [line for line in lines if "token" in line]
    assert "spec.charts[0].values.extraArgs[1]: holds a Hugging Face token" in line
    assert all(token not in line for line in lines)


def test_a_literal_credential_in_a_values_file_is_reported_in_that_file(tmp_path: Path) -> None:
    values = "replicaCount: 1\nauth:\n  apiToken: s3cr3t-value\n"
    (tmp_path / "echo-values.yaml").write_text(values)
    text = BASE.replace("      values:\n", "      valuesFiles: [echo-values.yaml]\n      values:\n")
    [line] = [line for line in problems(tmp_path, text) if "echo-values.yaml" in line]
    line_number, column = line_column(values, "apiToken")
    assert (
        f"echo-values.yaml:{line_number}:{column}: `auth.apiToken` looks like a credential" in line
    )
    assert "(from `spec.charts[0].valuesFiles[0]` in charts.yaml)" in line


def test_the_generated_secret_names_and_keys_are_references_not_credentials(tmp_path: Path) -> None:
    text = BASE.replace(
        "existingSecret: echo-api",
        "existingSecret: echo-api\n        tokenSecret: echo-api\n        secretKey: token",
    )
    with pytest.raises(Exception) as caught:
        load(tmp_path, text)
    # The schema refuses the unknown keys; no credential finding is among the problems.
    assert "credential" not in str(caught.value)


def test_depends_on_names_charts_or_declared_sections(tmp_path: Path) -> None:
    text = BASE.replace(
        "      credentials:", "      dependsOn: [postgres, echoo, echo]\n      credentials:"
    )
    lines = problems(tmp_path, text)
    line, _ = line_column(text, "dependsOn")
    columns = [line_column(text, item)[1] for item in ("postgres,", "echoo,", "echo]")]
    assert lines == [
        f"charts.yaml:{line}:{columns[0]}: spec.charts[0].dependsOn[0]: the blueprint has no "
        "`spec.postgres`",
        f"charts.yaml:{line}:{columns[1]}: spec.charts[0].dependsOn[1]: `echoo` is neither a "
        "chart nor a section a chart may wait for (did you mean `echo`?)",
        f"charts.yaml:{line}:{columns[2]}: spec.charts[0].dependsOn[2]: a chart cannot depend "
        "on itself",
    ]


def test_a_remote_chart_and_its_mirror(tmp_path: Path) -> None:
    remote = """\
    - name: vectors
      repository: https://qdrant.github.io/qdrant-helm
      chart: qdrant
      version: 1.15.5
      mirror: https://charts.mirror.example.com/qdrant
    - name: registry-chart
      repository: oci://registry-1.docker.io/bitnamicharts
      chart: etcd
      version: 12.0.18
      mirror: oci://registry.mirror.example.com/bitnamicharts
"""
    platform = load(tmp_path, BASE + remote)
    vectors, etcd = (chart_args(platform, spec) for spec in platform.spec.charts[1:])
    assert (vectors.chart, vectors.repository) == (
        "qdrant",
        "https://charts.mirror.example.com/qdrant",
    )
    assert (etcd.chart, etcd.repository) == (
        "oci://registry.mirror.example.com/bitnamicharts/etcd",
        None,
    )


def test_exactly_one_source(tmp_path: Path) -> None:
    text = BASE.replace(
        "      version: 0.3.1\n",
        "      repository: https://charts.example.com\n      version: 0.3.1\n",
    )
    [line] = problems(tmp_path, text)
    assert "give exactly one of `repository` or `path`" in line
