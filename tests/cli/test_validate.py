"""`shipyard validate BLUEPRINT...`: exit 0 when every file is valid, 1 with every problem."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint.yaml_source import MAX_BYTES

from .conftest import Invoke

DEV_VALID = "blueprints/dev.yaml: valid (1 node pool(s), 1 model(s); gateway, ray)\n"
UNKNOWN_KEY = "      replica: 1\n"


def broken_copy(dev_blueprint: Path, write_blueprint, name: str = "broken.yaml") -> Path:
    text = dev_blueprint.read_text().replace("      replicas: 1\n", UNKNOWN_KEY)
    assert UNKNOWN_KEY in text
    return write_blueprint(text, name)


def line_of(path: Path, line: str) -> int:
    return path.read_text().splitlines().index(line.rstrip("\n")) + 1


def test_valid_blueprint_exits_0(invoke) -> None:
    result = invoke(["validate", "blueprints/dev.yaml"])
    assert result.exit_code == 0
    assert (
        result.stdout == "blueprints/dev.yaml: valid (1 node pool(s), 1 model(s); gateway, ray)\n"
    )
    assert result.stderr == ""


def test_both_examples_are_valid(invoke) -> None:
    result = invoke(["validate", "blueprints/dev.yaml", "blueprints/prod.yaml"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "blueprints/dev.yaml: valid (1 node pool(s), 1 model(s); gateway, ray)"
    assert lines[1].startswith("blueprints/prod.yaml: valid (")
    assert len(lines) == 2


def test_unknown_key_exits_1_with_file_line_and_field(
    invoke, dev_blueprint, write_blueprint
) -> None:
    path = broken_copy(dev_blueprint, write_blueprint)
    result = invoke(["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:{line_of(path, UNKNOWN_KEY)}:7: spec.models[0].replica: unknown field `replica`; "
        "did you mean `replicas`?\n"
        "1 of 1 blueprint(s) invalid\n"
    )
    assert "Traceback" not in result.output


def test_model_too_large_exits_1_with_file_line_and_field(
    invoke, dev_blueprint, write_blueprint
) -> None:
    text = dev_blueprint.read_text().replace(
        "model: Qwen/Qwen2.5-0.5B-Instruct", "model: meta-llama/Llama-3.1-70B-Instruct"
    )
    path = write_blueprint(text, "too-large.yaml")
    result = invoke(["validate", str(path)])
    assert result.exit_code == 1
    [problem, summary] = result.stderr.splitlines()
    assert problem.startswith(
        f"{path}:{line_of(path, '    - name: qwen-small')}:7: spec.models[0].tensorParallelSize: "
        "`meta-llama/Llama-3.1-70B-Instruct` needs "
    )
    assert "but 1 x nvidia-a10g at gpuMemoryUtilization 0.85 gives 20.4 GiB" in problem
    assert summary == "1 of 1 blueprint(s) invalid"


def test_every_file_and_every_problem_is_reported(invoke, dev_blueprint, write_blueprint) -> None:
    broken = broken_copy(dev_blueprint, write_blueprint)
    text = dev_blueprint.read_text()
    text = text.replace("  environment: dev\n", "  environment: Dev\n")
    text = text.replace("nodePool: gpu-small", "nodePool: gpu-smal")
    two = write_blueprint(text, "two.yaml")
    result = invoke(["validate", str(broken), "blueprints/dev.yaml", str(two)])
    assert result.exit_code == 1
    assert (
        result.stdout == "blueprints/dev.yaml: valid (1 node pool(s), 1 model(s); gateway, ray)\n"
    )
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{broken}:")
    # Structural problems stop the semantic checks: `Dev` is reported, the pool later.
    assert lines[1] == (
        f"{two}:{line_of(two, '  environment: Dev')}:3: metadata.environment: 'Dev' is not a "
        "DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a "
        "letter or digit"
    )
    assert lines[2] == "2 of 3 blueprint(s) invalid"
    assert len(lines) == 3


def test_hostile_inputs_are_user_errors_without_traceback(invoke, write_blueprint) -> None:
    files = [
        write_blueprint(b"apiVersion: \xff\n", "latin.yaml"),
        write_blueprint(b"#" * (MAX_BYTES + 1), "huge.yaml"),
        write_blueprint("a: " + "[" * 500 + "]" * 500 + "\n", "deep.yaml"),
        write_blueprint("a: 1\n---\nb: 2\n", "two-docs.yaml"),
    ]
    result = invoke(["validate", *map(str, files)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{files[0]}:1:13: the file is not valid UTF-8 (byte 0xff)",
        f"{files[1]}:1:1: the file is {MAX_BYTES + 1} bytes; blueprints are limited to {MAX_BYTES}",
        f"{files[2]}:1:1: nesting deeper than 64 levels",
        f"{files[3]}:1:1: a blueprint holds exactly one YAML document, found 2",
        "4 of 4 blueprint(s) invalid",
    ]
    assert "Traceback" not in result.output


def test_missing_file_is_a_user_error(invoke) -> None:
    result = invoke(["validate", "blueprints/missing.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "blueprints/missing.yaml:1:1: cannot read the file: No such file or directory\n"
        "1 of 1 blueprint(s) invalid\n"
    )


def test_no_argument_is_a_usage_error(invoke) -> None:
    result = invoke(["validate"])
    assert result.exit_code == 2
    assert "Error: Missing argument 'BLUEPRINTS...'." in result.stderr


def test_the_summary_names_the_declared_sections(invoke: Invoke) -> None:
    result = invoke(["validate", "blueprints/prod.yaml", "blueprints/examples/kubeagi.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "blueprints/prod.yaml: valid (4 node pool(s), 4 model(s); gateway, ray, objectStore s3,"
        " postgres, analytics, events, monitoring operator)",
        "blueprints/examples/kubeagi.yaml: valid (2 node pool(s), 1 model(s), 4 app(s); gateway,"
        " ray, objectStore minio, postgres)",
    ]


def test_advisories_are_warnings_and_the_blueprint_stays_valid(
    invoke: Invoke, tmp_path: Path
) -> None:
    from tests.sections.apps.base import BASE

    path = tmp_path / "apps.yaml"
    path.write_text(BASE.replace("consume: [results]", "consume: [results, audit]"))
    result = invoke(["validate", str(path)])
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"warning: {path}:")
    assert warning.endswith(
        "spec.apps[0].uses[1].consume[1]: app `backend` consumes `audit`, which no app produces; "
        "set `externalProducers: true` on the topic if its producers are outside the blueprint"
    )
