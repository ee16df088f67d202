"""vLLM's own argument parser accepts the engine arguments Shipyard renders, for every
model of every blueprint (and every role of a model). That catches flag drift between
the typed fields and the engine: a renamed flag, a removed choice, a value of the wrong
type. The parser is `vllm serve`'s: `make_arg_parser` (in 0.33 it lives in
`vllm.entrypoints.common.cli_args`) on a `FlexibleArgumentParser`,
then `AsyncEngineArgs.from_cli_args`, which builds the engine's typed arguments (it
loads no model and needs no GPU: the platform is named, not detected)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from components.vllm.manifests import render_deployment
from shipyard.blueprint import load_blueprint
from shipyard.sections.models.serving import model_servers
from tests.components.vllm.vllm_venv import vllm_python

ROOT = Path(__file__).resolve().parents[3]
BLUEPRINTS = sorted(
    [
        *ROOT.glob("blueprints/*.yaml"),
        *ROOT.glob("blueprints/examples/*.yaml"),
        *ROOT.glob("tests/e2e/blueprints/*.yaml"),
    ]
)

# Runs in vLLM's virtualenv: parse each command line as `vllm serve` would.
PARSE = r"""
import contextlib, io, json, sys
import vllm.platforms
from vllm.platforms.cpu import CpuPlatform
# No GPU here, and the CUDA platform needs libcuda to import: name the CPU platform. The
# flags and their types are the same; only some defaults depend on the platform.
vllm.platforms.current_platform = CpuPlatform()
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.entrypoints.common.cli_args import make_arg_parser, validate_parsed_serve_args
from vllm.utils.argparse_utils import FlexibleArgumentParser

results = {}
for label, argv in json.load(sys.stdin).items():
    parser = make_arg_parser(FlexibleArgumentParser(prog="vllm serve"))
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            args = parser.parse_args(argv)
        if args.model_tag is not None:  # as `vllm serve` does (vllm/entrypoints/cli/serve.py)
            args.model = args.model_tag
        validate_parsed_serve_args(args)
        engine = AsyncEngineArgs.from_cli_args(args)
        results[label] = {"ok": True, "model": engine.model,
            "tensor_parallel_size": engine.tensor_parallel_size,
            "pipeline_parallel_size": engine.pipeline_parallel_size,
            "served_model_name": engine.served_model_name,
            "kv_transfer_config": engine.kv_transfer_config and str(engine.kv_transfer_config),
            "enable_lora": engine.enable_lora}
    except SystemExit:
        results[label] = {"ok": False, "error": errors.getvalue().strip()[-1500:]}
    except Exception as error:
        results[label] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
print(json.dumps(results))
"""


DRIFT_FLAG = "drift:renamed-flag"
DRIFT_CHOICE = "drift:unknown-choice"


def rendered_command_lines() -> dict[str, list[str]]:
    """`<blueprint>:<model>[:<role>]` -> the `vllm serve` arguments of its Deployment."""
    lines: dict[str, list[str]] = {}
    for path in BLUEPRINTS:
        platform = load_blueprint(path)
        for model in platform.spec.models:
            for server in model_servers(platform, model):
                deployment = render_deployment(server.name, server.args)
                [container] = deployment["spec"]["template"]["spec"]["containers"]
                assert container["command"] == ["vllm", "serve"]
                lines[f"{path.relative_to(ROOT)}:{server.label}"] = container["args"]
    return lines


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict[str, object]]:
    python = vllm_python()
    lines = rendered_command_lines()
    # The check can fail: a renamed flag and a choice the engine does not have.
    base = lines["blueprints/prod.yaml:llama-70b"]
    lines[DRIFT_FLAG] = [*base, "--enable-prefix-cache"]
    lines[DRIFT_CHOICE] = [flag.replace("bfloat16", "bf16") for flag in base]
    result = subprocess.run(
        [str(python), "-c", PARSE],
        input=json.dumps(lines),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_every_blueprint_model_parses(parsed: dict[str, dict[str, object]]) -> None:
    lines = rendered_command_lines()
    assert set(parsed) == {*lines, DRIFT_FLAG, DRIFT_CHOICE}
    assert len(lines) >= 10  # every blueprint's models, not an empty glob
    refused = {label: result["error"] for label, result in parsed.items() if not result["ok"]}
    assert set(refused) == {DRIFT_FLAG, DRIFT_CHOICE}
    assert "unrecognized arguments: --enable-prefix-cache" in str(refused[DRIFT_FLAG])
    assert "invalid choice: 'bf16'" in str(refused[DRIFT_CHOICE])


def test_the_parsed_values_are_the_typed_fields(parsed: dict[str, dict[str, object]]) -> None:
    llama = parsed["blueprints/prod.yaml:llama-70b"]
    assert llama["tensor_parallel_size"] == 4
    assert llama["served_model_name"] == ["llama-3.3-70b-instruct"]
    assert llama["enable_lora"] is True
    assert llama["model"] == (
        "s3://acme-shipyard-prod-models/models/meta-llama/Llama-3.3-70B-Instruct/"
        "6f6073b423013f6a7d4d9f39144961bfbfbc386b"
    )


def test_each_role_parses_with_its_kv_transfer(parsed: dict[str, dict[str, object]]) -> None:
    for role in ("prefill", "decode"):
        server = parsed[f"blueprints/prod.yaml:qwen-32b:{role}"]
        assert server["ok"] is True
        assert "NixlConnector" in str(server["kv_transfer_config"])
        assert "kv_both" in str(server["kv_transfer_config"])
