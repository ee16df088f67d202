"""`load_blueprint`: every rule reports `FILE:LINE:COL: field.path: message`.

Each test starts from `BASE`, a valid dev-like blueprint, applies one small
textual edit, and asserts the exact rendered problem lines. Positions come from
`at(text, needle)`, the 1-based line and column where `needle` stands in the
edited text, so the assertions check the loader's real line numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import BlueprintError, Platform, load_blueprint
from shipyard.blueprint.yaml_source import MAX_BYTES, MAX_NODES

FILE = "bp.yaml"

BASE = """\
# yaml-language-server: $schema=./schema.json
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata:
  name: shipyard-test
  environment: dev
spec:
  cluster:
    kind: local
  namespace: llm-test
  nodePools:
    - name: gpu-small
      gpu:
        type: nvidia-a10g
        count: 1
      taints:
        - key: nvidia.com/gpu
          value: present
      size:
        min: 1
        max: 2
    - name: gpu-quad
      gpu:
        type: nvidia-a100-80gb
        count: 4
    - name: cpu
      size:
        min: 1
        max: 3
  models:
    - name: qwen-small
      model: Qwen/Qwen2.5-0.5B-Instruct
      servedModelName: qwen2.5-0.5b-instruct
      nodePool: gpu-small
      replicas: 1
      maxModelLen: 8192
      gpuMemoryUtilization: 0.85
      dtype: bfloat16
      maxNumSeqs: 32
      hfTokenSecret:
        name: hf-token
      loraAdapters:
        - name: support
          path: acme/qwen-support-lora
      resources:
        cpu: "2"
        memory: 8Gi
      cache:
        size: 20Gi
      autoscaling:
        minReplicas: 1
        maxReplicas: 1
        prometheusUrl: http://prometheus.monitoring.svc:9090
"""

LLAMA_70B = """\
    - name: llama-70b
      model: meta-llama/Llama-3.1-70B-Instruct
      nodePool: gpu-small
      maxModelLen: 8192
"""

FACTS = """\
      modelFacts:
        parametersBillion: 1.5
        layers: 28
        kvHeads: 2
        headDim: 128
        maxContextLength: 32768
"""


def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old`; fail loudly if the edit would be ambiguous."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, after: str | None = None) -> str:
    """`FILE:LINE:COL` of the one occurrence of `needle` in `text` (or the first after `after`)."""
    start = 0
    if after is not None:
        assert text.count(after) == 1, f"{after!r} occurs {text.count(after)} times"
        start = text.index(after)
    else:
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    offset = text.index(needle, start)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{FILE}:{line}:{column}"


@pytest.fixture
def problems(write_blueprint):
    """Load `text` as bp.yaml and return the rendered problem lines; it must fail."""

    def load(text: str | bytes) -> list[str]:
        path = write_blueprint(text, FILE)
        with pytest.raises(BlueprintError) as raised:
            load_blueprint(path, name=FILE)
        assert raised.value.file == FILE
        assert str(raised.value) == raised.value.render()
        return raised.value.render().splitlines()

    return load


@pytest.fixture
def loads(write_blueprint):
    """Load `text` and return the validated Platform; it must succeed."""

    def load(text: str) -> Platform:
        return load_blueprint(write_blueprint(text, FILE), name=FILE)

    return load


def test_base_blueprint_is_valid(loads) -> None:
    platform = loads(BASE)
    assert platform.metadata.name == "shipyard-test"
    assert platform.namespace == "llm-test"
    assert [pool.name for pool in platform.spec.node_pools] == ["gpu-small", "gpu-quad", "cpu"]
    model = platform.spec.models[0]
    assert model.served_name == "qwen2.5-0.5b-instruct"
    assert model.hf_token_secret is not None and model.hf_token_secret.key == "token"
    assert model.cache is not None and model.cache.access_mode == "ReadWriteOnce"


# --- unknown keys, at every level -------------------------------------------

UNKNOWN_KEYS = [
    # (level, after this line, insert this line, field path, message)
    (
        "root",
        "kind: Platform\n",
        "specs: {}\n",
        "specs",
        "unknown field `specs`; did you mean `spec`?",
    ),
    (
        "metadata",
        "  environment: dev\n",
        "  enviroment: dev\n",
        "metadata.enviroment",
        "unknown field `enviroment`; did you mean `environment`?",
    ),
    (
        "metadata, nothing close",
        "  environment: dev\n",
        "  owner: me\n",
        "metadata.owner",
        "unknown field `owner`; allowed: name, environment, labels",
    ),
    (
        "spec",
        "  namespace: llm-test\n",
        "  nodepools: []\n",
        "spec.nodepools",
        "unknown field `nodepools`; did you mean `nodePools`?",
    ),
    (
        "spec.cluster",
        "    kind: local\n",
        "    contxt: kind-dev\n",
        "spec.cluster.contxt",
        "unknown field `contxt`; did you mean `context`?",
    ),
    (
        "nodePools item",
        "    - name: cpu\n",
        "      instancetype: m5.large\n",
        "spec.nodePools[2].instancetype",
        "unknown field `instancetype`; did you mean `instanceType`?",
    ),
    (
        "gpu",
        "        count: 4\n",
        "        memory: 80\n",
        "spec.nodePools[1].gpu.memory",
        "unknown field `memory`; did you mean `memoryGiB`?",
    ),
    (
        "taints item",
        "          value: present\n",
        "          efect: NoSchedule\n",
        "spec.nodePools[0].taints[0].efect",
        "unknown field `efect`; did you mean `effect`?",
    ),
    (
        "size",
        "        max: 3\n",
        "        maximum: 3\n",
        "spec.nodePools[2].size.maximum",
        "unknown field `maximum`; did you mean `max`?",
    ),
    (
        "models item",
        "      maxNumSeqs: 32\n",
        "      maxModelLength: 4096\n",
        "spec.models[0].maxModelLength",
        "unknown field `maxModelLength`; did you mean `maxModelLen`?",
    ),
    (
        "hfTokenSecret",
        "        name: hf-token\n",
        "        keys: token\n",
        "spec.models[0].hfTokenSecret.keys",
        "unknown field `keys`; did you mean `key`?",
    ),
    (
        "loraAdapters item",
        "          path: acme/qwen-support-lora\n",
        "          paths: x\n",
        "spec.models[0].loraAdapters[0].paths",
        "unknown field `paths`; did you mean `path`?",
    ),
    (
        "resources",
        "        memory: 8Gi\n",
        "        disk: 10Gi\n",
        "spec.models[0].resources.disk",
        "unknown field `disk`; allowed: cpu, memory",
    ),
    (
        "cache",
        "        size: 20Gi\n",
        "        storageclass: fast\n",
        "spec.models[0].cache.storageclass",
        "unknown field `storageclass`; did you mean `storageClass`?",
    ),
    (
        "autoscaling",
        "        maxReplicas: 1\n",
        "        queueTargets: 3\n",
        "spec.models[0].autoscaling.queueTargets",
        "unknown field `queueTargets`; did you mean `queueTarget`?",
    ),
]


@pytest.mark.parametrize(
    ("after", "inserted", "field", "message"),
    [case[1:] for case in UNKNOWN_KEYS],
    ids=[case[0] for case in UNKNOWN_KEYS],
)
def test_unknown_key_is_rejected_at_every_level(
    problems, after: str, inserted: str, field: str, message: str
) -> None:
    text = edit(BASE, after, after + inserted)
    assert problems(text) == [f"{at(text, inserted.strip())}: {field}: {message}"]


def test_unknown_key_in_model_facts(problems) -> None:
    text = edit(
        BASE, "      maxNumSeqs: 32\n", "      maxNumSeqs: 32\n" + FACTS + "        heads: 14\n"
    )
    assert problems(text) == [
        f"{at(text, 'heads: 14')}: spec.models[0].modelFacts.heads: "
        "unknown field `heads`; did you mean `kvHeads`?"
    ]


def test_unknown_key_in_a_copy_of_dev_yaml_names_its_line(problems, dev_blueprint: Path) -> None:
    text = edit(dev_blueprint.read_text(), "      replicas: 1\n", "      replica: 1\n")
    line = text.splitlines().index("      replica: 1") + 1
    assert problems(text) == [
        f"bp.yaml:{line}:7: spec.models[0].replica: unknown field `replica`; "
        "did you mean `replicas`?"
    ]


# --- hostile or malformed YAML ------------------------------------------------


def test_duplicate_key_is_rejected_at_the_second_occurrence(problems) -> None:
    text = edit(BASE, "      replicas: 1\n", "      replicas: 1\n      replicas: 2\n")
    assert problems(text) == [
        f"{at(text, 'replicas: 2')}: invalid YAML: while constructing a mapping "
        'found duplicate key "replicas" with value "2" (original value: "1")'
    ]


def test_duplicate_top_level_key_is_rejected(problems) -> None:
    text = edit(BASE, "kind: Platform\n", "kind: Platform\nkind: Platform\n")
    assert problems(text) == [
        f"{FILE}:4:1: invalid YAML: while constructing a mapping "
        'found duplicate key "kind" with value "Platform" (original value: "Platform")'
    ]


def test_non_utf8_byte_is_reported_at_its_line_and_column(problems) -> None:
    raw = edit(BASE, "  environment: dev\n", "  environment: dev\n  # caf\xe9\n").encode("latin-1")
    # Line 7 is "  # caf\xe9": the bad byte is the eighth on that line.
    assert problems(raw) == [f"{FILE}:7:8: the file is not valid UTF-8 (byte 0xe9)"]


def test_oversized_file_is_refused_before_parsing(problems) -> None:
    raw = BASE.encode() + b"#" * MAX_BYTES
    assert MAX_BYTES == 1024 * 1024
    assert problems(raw) == [
        f"{FILE}:1:1: the file is {len(raw)} bytes; blueprints are limited to 1048576"
    ]


def test_a_file_of_exactly_the_limit_is_read(problems) -> None:
    # Padding with a comment keeps the YAML valid; an unknown key proves it was parsed.
    text = edit(BASE, "kind: Platform\n", "kind: Platform\nextra: 1\n")
    raw = text.encode() + b"#" * (MAX_BYTES - len(text.encode()))
    assert len(raw) == MAX_BYTES
    assert problems(raw) == [
        f"{at(text, 'extra: 1')}: extra: unknown field `extra`; "
        "allowed: apiVersion, kind, metadata, spec"
    ]


def test_alias_bomb_is_refused(problems) -> None:
    # Billion laughs: 6 levels of 10 aliases each expand to a million nodes.
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for previous, name in zip("abcde", "bcdef", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    assert MAX_NODES == 100_000
    # Root, a, b, c and d hold 12,345 nodes; the walk stops deep inside `e`, at an
    # alias of the last "x" of `a` (line 1, column 53).
    assert problems("\n".join(lines) + "\n") == [
        f"{FILE}:1:53: e[7][8][8][8][9]: the document expands to more than 100000 nodes "
        "(too large, or an alias bomb)"
    ]


def test_multiple_documents_are_refused(problems) -> None:
    assert problems(BASE + "---\nkind: Platform\n") == [
        f"{FILE}:1:1: a blueprint holds exactly one YAML document, found 2"
    ]


def test_empty_file_is_refused(problems) -> None:
    assert problems("") == [f"{FILE}:1:1: a blueprint holds exactly one YAML document, found 0"]


def test_document_that_is_not_a_mapping_is_refused(problems) -> None:
    assert problems("- apiVersion\n- kind\n") == [
        f"{FILE}:1:1: a blueprint is a mapping with `apiVersion`, `kind`, `metadata` and `spec`"
    ]


def test_yaml_syntax_error_names_its_line(problems) -> None:
    text = edit(BASE, "    kind: local\n", "    kind: [local\n")
    # The flow sequence never closes; the parser stops at the next `:`.
    assert problems(text) == [
        f"{at(text, ': llm-test')}: invalid YAML: while parsing a flow sequence "
        "expected ',' or ']', but got ':'"
    ]


def test_tab_indentation_is_a_syntax_error(problems) -> None:
    text = edit(BASE, "    kind: local\n", "    kind: local\n\tcontext: x\n")
    assert problems(text) == [
        f"{at(text, chr(9))}: invalid YAML: while scanning for the next token "
        "found character '\\t' that cannot start any token"
    ]


def test_non_string_key_is_refused(problems) -> None:
    text = edit(BASE, "    kind: local\n", "    kind: local\n    1: x\n")
    assert problems(text) == [f"{at(text, '1: x')}: spec.cluster.1: keys must be strings, got 1"]


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(
        BlueprintError, match=r"^nope\.yaml:1:1: cannot read the file: No such file"
    ):
        load_blueprint(tmp_path / "nope.yaml", name="nope.yaml")


# --- types and required fields ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "replicas: 1",
            "replicas: two",
            "spec.models[0].replicas",
            "Input should be a valid integer",
        ),
        (
            "replicas: 1",
            'replicas: "2"',
            "spec.models[0].replicas",
            "Input should be a valid integer",
        ),
        (
            "maxNumSeqs: 32",
            "maxNumSeqs: 32.5",
            "spec.models[0].maxNumSeqs",
            "Input should be a valid integer",
        ),
        (
            "maxNumSeqs: 32",
            "prefixCaching: 'no'",
            "spec.models[0].prefixCaching",
            "Input should be a valid boolean",
        ),
        (
            "count: 4",
            "count: 0",
            "spec.nodePools[1].gpu.count",
            "Input should be greater than or equal to 1",
        ),
        (
            "gpuMemoryUtilization: 0.85",
            "gpuMemoryUtilization: 1.5",
            "spec.models[0].gpuMemoryUtilization",
            "Input should be less than or equal to 1",
        ),
        (
            "dtype: bfloat16",
            "dtype: bf16",
            "spec.models[0].dtype",
            "Input should be 'auto', 'half', 'float16', 'bfloat16', 'float' or 'float32'",
        ),
        (
            "size: 20Gi",
            "size: 20GB",
            "spec.models[0].cache.size",
            "String should match pattern '^[0-9]+(Mi|Gi|Ti)$'",
        ),
        (
            "kind: local",
            "kind: gke",
            "spec.cluster.kind",
            "unknown kind `gke`; use one of 'local', 'eks'",
        ),
        (
            "apiVersion: shipyard.dev/v1alpha1",
            "apiVersion: shipyard.dev/v1",
            "apiVersion",
            "Input should be 'shipyard.dev/v1alpha1'",
        ),
    ],
    ids=[
        "word-for-int",
        "quoted-int",
        "float-for-int",
        "string-for-bool",
        "gpu-count-0",
        "utilization-above-1",
        "dtype",
        "cache-size",
        "cluster-kind",
        "api-version",
    ],
)
def test_wrong_type_or_value_names_the_field(
    problems, old: str, new: str, field: str, message: str
) -> None:
    text = edit(BASE, old, new)
    assert problems(text) == [f"{at(text, new)}: {field}: {message}"]


def test_wrong_type_in_a_mapping_value(problems) -> None:
    text = edit(BASE, "  environment: dev\n", "  environment: dev\n  labels:\n    team: 7\n")
    assert problems(text) == [
        f"{at(text, 'team: 7')}: metadata.labels.team: Input should be a valid string"
    ]


def test_missing_required_field_points_at_its_parent(problems) -> None:
    text = edit(BASE, "      nodePool: gpu-small\n", "")
    assert problems(text) == [
        f"{at(text, 'name: qwen-small')}: spec.models[0].nodePool: required field is missing"
    ]


def test_missing_required_sections(problems) -> None:
    text = "apiVersion: shipyard.dev/v1alpha1\nkind: Platform\n"
    assert problems(text) == [
        f"{FILE}:1:1: metadata: required field is missing",
        f"{FILE}:1:1: spec: required field is missing",
    ]


def test_missing_autoscaling_fields(problems) -> None:
    text = edit(BASE, "        prometheusUrl: http://prometheus.monitoring.svc:9090\n", "")
    assert problems(text) == [
        f"{at(text, 'autoscaling:')}: spec.models[0].autoscaling.prometheusUrl: "
        "required field is missing"
    ]


# --- names ----------------------------------------------------------------------

NOT_DNS = (
    "is not a DNS-1123 label: use lowercase letters, digits and '-', "
    "starting and ending with a letter or digit"
)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "name: shipyard-test",
            "name: Shipyard_Test",
            "metadata.name",
            f"'Shipyard_Test' {NOT_DNS}",
        ),
        ("namespace: llm-test", "namespace: llm-", "spec.namespace", f"'llm-' {NOT_DNS}"),
        ("name: gpu-quad", "name: gpu.quad", "spec.nodePools[1].name", f"'gpu.quad' {NOT_DNS}"),
        (
            "name: qwen-small",
            "name: " + "q" * 64,
            "spec.models[0].name",
            "must be at most 63 characters, got 64",
        ),
        (
            "name: hf-token",
            "name: HF_TOKEN",
            "spec.models[0].hfTokenSecret.name",
            f"'HF_TOKEN' {NOT_DNS}",
        ),
    ],
    ids=["platform", "namespace", "pool", "model-too-long", "secret"],
)
def test_names_must_be_dns_1123_labels(
    problems, old: str, new: str, field: str, message: str
) -> None:
    text = edit(BASE, old, new)
    assert problems(text) == [f"{at(text, new)}: {field}: {message}"]


def test_duplicate_pool_names(problems) -> None:
    text = edit(BASE, "    - name: gpu-quad\n", "    - name: gpu-small\n")
    assert problems(text) == [
        f"{at(text, 'name: gpu-small', after='value: present')}: spec.nodePools[1].name: "
        "`gpu-small` is used more than once"
    ]


def test_duplicate_model_names(problems) -> None:
    text = BASE + (
        "    - name: qwen-small\n"
        "      model: Qwen/Qwen2.5-0.5B-Instruct\n"
        "      servedModelName: other\n"
        "      nodePool: gpu-quad\n"
    )
    assert problems(text) == [
        f"{at(text, 'name: qwen-small', after='servedModelName: qwen2.5')}: "
        "spec.models[1].name: `qwen-small` is used more than once"
    ]


def test_duplicate_served_model_names(problems) -> None:
    text = BASE + (
        "    - name: qwen-two\n"
        "      model: Qwen/Qwen2.5-0.5B-Instruct\n"
        "      servedModelName: qwen2.5-0.5b-instruct\n"
        "      nodePool: gpu-quad\n"
    )
    second = at(text, "servedModelName: qwen2.5-0.5b-instruct", after="name: qwen-two")
    assert problems(text) == [
        f"{second}: spec.models[1].servedModelName: `qwen2.5-0.5b-instruct` is used more than once"
    ]


def test_served_name_defaults_to_name_and_clashes_too(problems) -> None:
    text = BASE + (
        "    - name: qwen2-5\n"
        "      model: Qwen/Qwen2.5-0.5B-Instruct\n"
        "      servedModelName: qwen-small\n"
        "      nodePool: gpu-quad\n"
        "    - name: qwen-small2\n"
        "      model: Qwen/Qwen2.5-0.5B-Instruct\n"
        "      servedModelName: qwen2-5\n"
        "      nodePool: gpu-quad\n"
    )
    text = edit(text, "      servedModelName: qwen2.5-0.5b-instruct\n", "")
    # Model 0 now serves as `qwen-small` (its name); model 1 asks for the same.
    assert problems(text) == [
        f"{at(text, 'servedModelName: qwen-small')}: spec.models[1].servedModelName: "
        "`qwen-small` is used more than once"
    ]


# --- pools and models -------------------------------------------------------------


def test_model_on_undeclared_pool_suggests_the_closest(problems) -> None:
    text = edit(BASE, "nodePool: gpu-small", "nodePool: gpu-smal")
    assert problems(text) == [
        f"{at(text, 'nodePool: gpu-smal')}: spec.models[0].nodePool: no node pool named "
        "`gpu-smal` (did you mean `gpu-small`?); declared pools: gpu-small, gpu-quad, cpu"
    ]


def test_model_on_undeclared_pool_without_close_match(problems) -> None:
    text = edit(BASE, "nodePool: gpu-small", "nodePool: zzz")
    assert problems(text) == [
        f"{at(text, 'nodePool: zzz')}: spec.models[0].nodePool: no node pool named `zzz`; "
        "declared pools: gpu-small, gpu-quad, cpu"
    ]


def test_model_on_pool_without_gpus(problems) -> None:
    text = edit(BASE, "nodePool: gpu-small", "nodePool: cpu")
    assert problems(text) == [
        f"{at(text, 'nodePool: cpu')}: spec.models[0].nodePool: pool `cpu` has no GPUs; "
        "vLLM models need a pool with `gpu` set"
    ]


def test_tensor_parallel_larger_than_gpus_per_node(problems) -> None:
    text = edit(BASE, "      replicas: 1\n", "      replicas: 1\n      tensorParallelSize: 2\n")
    assert problems(text) == [
        f"{at(text, 'tensorParallelSize: 2')}: spec.models[0].tensorParallelSize: "
        "tensor-parallel size 2 exceeds the 1 GPU(s) per node of pool `gpu-small`"
    ]


def test_tensor_parallel_below_one_is_a_type_error(problems) -> None:
    text = edit(BASE, "      replicas: 1\n", "      replicas: 1\n      tensorParallelSize: 0\n")
    assert problems(text) == [
        f"{at(text, 'tensorParallelSize: 0')}: spec.models[0].tensorParallelSize: "
        "Input should be greater than or equal to 1"
    ]


# --- GPU memory fit -------------------------------------------------------------


def test_model_too_large_for_its_gpu_names_the_need_and_the_fixes(problems) -> None:
    text = BASE + LLAMA_70B
    assert problems(text) == [
        f"{at(text, 'name: llama-70b')}: spec.models[1].tensorParallelSize: "
        "`meta-llama/Llama-3.1-70B-Instruct` needs 134.0 GiB (weights 131.5 GiB + KV cache "
        "2.5 GiB for 8192 tokens) but 1 x nvidia-a10g at gpuMemoryUtilization 0.9 gives "
        "21.6 GiB; `tensorParallelSize: 8` would fit, but pool `gpu-small` has only 1 GPU(s) "
        "per node; at tensorParallelSize 1 it fits on nvidia-b200 or larger; "
        "or lower `maxModelLen`, or quantize"
    ]


def test_model_too_large_at_tp1_suggests_a_tp_the_pool_has(problems) -> None:
    text = edit(
        BASE + LLAMA_70B,
        "nodePool: gpu-small\n      maxModelLen",
        "nodePool: gpu-quad\n      maxModelLen",
    )
    assert problems(text) == [
        f"{at(text, 'name: llama-70b')}: spec.models[1].tensorParallelSize: "
        "`meta-llama/Llama-3.1-70B-Instruct` needs 134.0 GiB (weights 131.5 GiB + KV cache "
        "2.5 GiB for 8192 tokens) but 1 x nvidia-a100-80gb at gpuMemoryUtilization 0.9 gives "
        "72.0 GiB; `tensorParallelSize: 2` fits on this pool; at tensorParallelSize 1 it fits "
        "on nvidia-b200 or larger; or lower `maxModelLen`, or quantize"
    ]


def test_model_fits_with_tensor_parallel_on_a_four_gpu_pool(loads) -> None:
    text = edit(
        BASE + LLAMA_70B,
        "      nodePool: gpu-small\n      maxModelLen: 8192\n",
        "      nodePool: gpu-quad\n      tensorParallelSize: 4\n      maxModelLen: 8192\n",
    )
    model = loads(text).spec.models[1]
    assert (model.node_pool, model.tensor_parallel_size) == ("gpu-quad", 4)


def test_quantized_model_fits_where_the_16_bit_one_does_not(loads, problems) -> None:
    at_tp2 = edit(
        BASE + LLAMA_70B,
        "      nodePool: gpu-small\n      maxModelLen: 8192\n",
        "      nodePool: gpu-quad\n      maxModelLen: 8192\n",
    )
    assert len(problems(at_tp2)) == 1
    quantized = edit(
        at_tp2,
        "      nodePool: gpu-quad\n",
        "      nodePool: gpu-quad\n      quantization: awq\n",
    )
    assert loads(quantized).spec.models[1].quantization == "awq"


def test_unknown_gpu_type_suggests_the_closest(problems) -> None:
    text = edit(BASE, "type: nvidia-a100-80gb", "type: nvidia-a100-80g")
    assert problems(text) == [
        f"{at(text, 'type: nvidia-a100-80g')}: spec.nodePools[1].gpu.type: unknown GPU type "
        "`nvidia-a100-80g` (did you mean `nvidia-a100-80gb`?); use one of nvidia-a10, "
        "nvidia-a100-40gb, nvidia-a100-80gb, nvidia-a10g, nvidia-b200, nvidia-h100-80gb, "
        "nvidia-h200, nvidia-l4, nvidia-l40s, nvidia-t4, nvidia-v100-16gb, nvidia-v100-32gb "
        "or set `gpu.memoryGiB`"
    ]


def test_unknown_gpu_type_with_memory_override_is_valid(loads) -> None:
    text = edit(BASE, "type: nvidia-a100-80gb\n", "type: amd-mi300x\n        memoryGiB: 192\n")
    pool = loads(text).spec.node_pools[1]
    assert pool.gpu is not None
    assert (pool.gpu.type, pool.gpu.memory_gib) == ("amd-mi300x", 192)


def test_memory_override_is_used_by_the_fit_check(problems) -> None:
    text = edit(
        BASE,
        "        type: nvidia-a10g\n",
        "        type: tiny-gpu\n        memoryGiB: 1\n",
    )
    assert problems(text) == [
        f"{at(text, 'name: qwen-small')}: spec.models[0].tensorParallelSize: "
        "`Qwen/Qwen2.5-0.5B-Instruct` needs 1.0 GiB (weights 0.9 GiB + KV cache 0.1 GiB for "
        "8192 tokens) but 1 x tiny-gpu at gpuMemoryUtilization 0.85 gives 0.8 GiB; "
        "`tensorParallelSize: 2` would fit, but pool `gpu-small` has only 1 GPU(s) per node; "
        "at tensorParallelSize 1 it fits on nvidia-t4 or larger; "
        "or lower `maxModelLen`, or quantize"
    ]


def test_model_not_in_the_table_needs_model_facts(problems) -> None:
    text = edit(BASE, "model: Qwen/Qwen2.5-0.5B-Instruct", "model: acme/secret-model")
    assert problems(text) == [
        f"{at(text, 'model: acme/secret-model')}: spec.models[0].model: Shipyard has no size "
        "figures for `acme/secret-model`; add `modelFacts` (parametersBillion, layers, kvHeads, "
        "headDim, maxContextLength) from its config.json"
    ]


def test_model_facts_make_an_unknown_model_valid(loads) -> None:
    text = edit(
        BASE,
        "      model: Qwen/Qwen2.5-0.5B-Instruct\n",
        "      model: acme/secret-model\n" + FACTS,
    )
    model = loads(text).spec.models[0]
    assert model.model_facts is not None
    assert (model.model_facts.parameters_billion, model.model_facts.head_dim) == (1.5, 128)


def test_model_facts_too_large_for_the_gpu_fail_the_fit(problems) -> None:
    text = edit(
        BASE,
        "      model: Qwen/Qwen2.5-0.5B-Instruct\n",
        "      model: acme/secret-model\n"
        + FACTS.replace("parametersBillion: 1.5", "parametersBillion: 30"),
    )
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(
        f"{at(text, 'name: qwen-small')}: spec.models[0].tensorParallelSize: "
    )
    assert "`acme/secret-model` needs 56.1 GiB (weights 55.9 GiB + KV cache 0.2 GiB" in found[0]


def test_max_model_len_above_the_context_length(problems) -> None:
    text = edit(BASE, "maxModelLen: 8192", "maxModelLen: 65536")
    assert problems(text) == [
        f"{at(text, 'maxModelLen: 65536')}: spec.models[0].maxModelLen: "
        "65536 exceeds the model's context length of 32768"
    ]


# --- replicas, cache and capacity ---------------------------------------------------


def _without_autoscaling(text: str) -> str:
    return edit(
        text,
        "      autoscaling:\n        minReplicas: 1\n        maxReplicas: 1\n"
        "        prometheusUrl: http://prometheus.monitoring.svc:9090\n",
        "",
    )


def test_read_write_once_cache_with_two_replicas(problems) -> None:
    text = edit(_without_autoscaling(BASE), "replicas: 1", "replicas: 2")
    assert problems(text) == [
        f"{at(text, 'cache:')}: spec.models[0].cache.accessMode: "
        "ReadWriteOnce cannot be shared by 2 replicas; use ReadWriteMany storage or no cache"
    ]


def test_read_write_many_cache_with_two_replicas_is_valid(loads) -> None:
    text = edit(_without_autoscaling(BASE), "replicas: 1", "replicas: 2")
    text = edit(
        text, "        size: 20Gi\n", "        size: 20Gi\n        accessMode: ReadWriteMany\n"
    )
    assert loads(text).spec.models[0].most_replicas == 2


def test_pool_capacity_counts_autoscaling_maximum_times_tp(problems) -> None:
    text = edit(
        BASE, "        size: 20Gi\n", "        size: 20Gi\n        accessMode: ReadWriteMany\n"
    )
    text = edit(text, "maxReplicas: 1", "maxReplicas: 3")
    assert problems(text) == [
        f"{at(text, 'max: 2')}: spec.nodePools[0].size.max: models on pool `gpu-small` need up "
        "to 3 GPUs but the pool holds at most 2 (2 node(s) x 1)"
    ]


def test_pool_capacity_sums_every_model_on_the_pool(problems) -> None:
    second = (
        "    - name: llama-70b\n"
        "      model: meta-llama/Llama-3.1-70B-Instruct\n"
        "      nodePool: gpu-quad\n"
        "      replicas: 2\n"
        "      tensorParallelSize: 2\n"
        "      maxModelLen: 8192\n"
        "    - name: llama-8b\n"
        "      model: meta-llama/Llama-3.1-8B-Instruct\n"
        "      nodePool: gpu-quad\n"
        "      maxModelLen: 8192\n"
    )
    text = BASE + second
    # gpu-quad: 1 node (default size) x 4 GPUs; the models want 2 x 2 + 1 x 1 = 5.
    assert problems(text) == [
        f"{at(text, 'name: gpu-quad')}: spec.nodePools[1].size.max: "
        "models on pool `gpu-quad` need up to 5 GPUs but the pool holds at most 4 (1 node(s) x 4)"
    ]


def test_pool_size_min_above_max(problems) -> None:
    text = edit(BASE, "        min: 1\n        max: 3\n", "        min: 4\n        max: 3\n")
    assert problems(text) == [
        f"{at(text, 'size:', after='name: cpu')}: spec.nodePools[2].size: "
        "need min <= desired <= max, got min 4, desired 4, max 3"
    ]


def test_pool_size_desired_outside_the_range(problems) -> None:
    text = edit(BASE, "        max: 3\n", "        max: 3\n        desired: 5\n")
    assert problems(text) == [
        f"{at(text, 'size:', after='name: cpu')}: spec.nodePools[2].size: "
        "need min <= desired <= max, got min 1, desired 5, max 3"
    ]


def test_autoscaling_min_above_max(problems) -> None:
    text = edit(BASE, "minReplicas: 1", "minReplicas: 2")
    assert problems(text) == [
        f"{at(text, 'autoscaling:')}: spec.models[0].autoscaling: "
        "`minReplicas` must not exceed `maxReplicas`"
    ]


# --- engine flags and image --------------------------------------------------------


def test_extra_args_outside_the_allow_list(problems) -> None:
    text = edit(
        BASE,
        "      maxNumSeqs: 32\n",
        "      maxNumSeqs: 32\n      extraArgs:\n        trust-remote-code: true\n"
        "        port: 9000\n        seed: 1\n",
    )
    assert problems(text) == [
        f"{at(text, 'extraArgs:')}: spec.models[0].extraArgs: engine flag(s) port, "
        "trust-remote-code not allowed; use the typed field if there is one, otherwise one of: "
        "block-size, chat-template, cpu-offload-gb, disable-log-requests, "
        "enable-auto-tool-choice, enable-chunked-prefill, enforce-eager, generation-config, "
        "kv-cache-dtype, max-lora-rank, max-loras, max-num-batched-tokens, reasoning-parser, "
        "revision, seed, swap-space, tokenizer, tokenizer-mode, tool-call-parser"
    ]


def test_allowed_extra_args_are_kept(loads) -> None:
    text = edit(
        BASE,
        "      maxNumSeqs: 32\n",
        "      maxNumSeqs: 32\n      extraArgs:\n        enforce-eager: true\n"
        "        kv-cache-dtype: fp8\n        seed: 7\n",
    )
    assert loads(text).spec.models[0].extra_args == {
        "enforce-eager": True,
        "kv-cache-dtype": "fp8",
        "seed": 7,
    }


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (
            "vllm/vllm-openai:latest",
            "'vllm/vllm-openai:latest' uses `latest`; pin a version tag or digest",
        ),
        (
            "vllm/vllm-openai",
            "'vllm/vllm-openai' has no tag; pin a version tag or digest, "
            "never the implicit `latest`",
        ),
        (
            "registry.local:5000/vllm/vllm-openai",
            "'registry.local:5000/vllm/vllm-openai' has no tag; pin a version tag or digest, "
            "never the implicit `latest`",
        ),
    ],
    ids=["latest", "untagged", "registry-port-untagged"],
)
def test_unpinned_image_is_rejected(problems, image: str, message: str) -> None:
    text = edit(BASE, "      maxNumSeqs: 32\n", f"      maxNumSeqs: 32\n      image: {image}\n")
    assert problems(text) == [f"{at(text, 'image:')}: spec.models[0].image: {message}"]


@pytest.mark.parametrize(
    "image",
    [
        "vllm/vllm-openai:v0.8.5",
        "registry.local:5000/vllm/vllm-openai:v0.8.5",
        "vllm/vllm-openai@sha256:" + "a" * 64,
    ],
)
def test_pinned_image_is_accepted(loads, image: str) -> None:
    text = edit(BASE, "      maxNumSeqs: 32\n", f"      maxNumSeqs: 32\n      image: {image}\n")
    assert loads(text).spec.models[0].image == image


# --- every problem at once ----------------------------------------------------------


def test_three_structural_problems_are_reported_together(problems) -> None:
    text = edit(BASE, "  environment: dev\n", "  environment: dev\n  owner: me\n")
    text = edit(text, "replicas: 1", "replicas: two")
    text = edit(text, "        max: 3\n", "        max: 3\n        maximum: 3\n")
    assert problems(text) == [
        f"{at(text, 'owner: me')}: metadata.owner: unknown field `owner`; "
        "allowed: name, environment, labels",
        f"{at(text, 'maximum: 3')}: spec.nodePools[2].size.maximum: unknown field `maximum`; "
        "did you mean `max`?",
        f"{at(text, 'replicas: two')}: spec.models[0].replicas: Input should be a valid integer",
    ]


def test_three_semantic_problems_are_reported_together(problems) -> None:
    text = edit(BASE, "nodePool: gpu-small", "nodePool: cpu")
    text = edit(text, "type: nvidia-a100-80gb", "type: nvidia-a100-80g")
    text = edit(text, "    - name: gpu-quad\n", "    - name: gpu-small\n")
    assert problems(text) == [
        f"{at(text, 'name: gpu-small', after='value: present')}: spec.nodePools[1].name: "
        "`gpu-small` is used more than once",
        f"{at(text, 'type: nvidia-a100-80g')}: spec.nodePools[1].gpu.type: unknown GPU type "
        "`nvidia-a100-80g` (did you mean `nvidia-a100-80gb`?); use one of nvidia-a10, "
        "nvidia-a100-40gb, nvidia-a100-80gb, nvidia-a10g, nvidia-b200, nvidia-h100-80gb, "
        "nvidia-h200, nvidia-l4, nvidia-l40s, nvidia-t4, nvidia-v100-16gb, nvidia-v100-32gb "
        "or set `gpu.memoryGiB`",
        f"{at(text, 'nodePool: cpu')}: spec.models[0].nodePool: pool `cpu` has no GPUs; "
        "vLLM models need a pool with `gpu` set",
    ]


# --- the example blueprints -----------------------------------------------------------


def test_dev_blueprint_loads(dev_blueprint: Path) -> None:
    platform = load_blueprint(dev_blueprint)
    assert (platform.api_version, platform.kind) == ("shipyard.dev/v1alpha1", "Platform")
    assert (platform.metadata.name, platform.metadata.environment) == ("shipyard-dev", "dev")
    assert platform.spec.cluster.kind == "local"
    assert platform.namespace == "llm-dev"
    [pool] = platform.spec.node_pools
    assert pool.name == "gpu-small"
    assert pool.gpu is not None and (pool.gpu.type, pool.gpu.count) == ("nvidia-a10g", 1)
    assert (pool.size.min, pool.size.max, pool.size.desired) == (1, 3, 1)
    [model] = platform.spec.models
    assert (model.name, model.model, model.served_name) == (
        "qwen-small",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "qwen2.5-0.5b-instruct",
    )
    assert (model.node_pool, model.replicas, model.tensor_parallel_size) == ("gpu-small", 1, 1)
    assert (model.max_model_len, model.gpu_memory_utilization, model.dtype) == (
        8192,
        0.85,
        "bfloat16",
    )


def test_prod_blueprint_loads_and_exercises_every_optional_part(prod_blueprint: Path) -> None:
    platform = load_blueprint(prod_blueprint)
    assert platform.metadata.environment == "prod"
    gpu_pools = [pool for pool in platform.spec.node_pools if pool.gpu is not None]
    assert len(gpu_pools) >= 2
    assert len(platform.spec.models) >= 2
    models = platform.spec.models
    # The render and schema tests rely on prod covering these.
    assert any(model.autoscaling is not None for model in models)
    assert any(model.cache is not None for model in models)
    assert any(model.tensor_parallel_size > 1 for model in models)
    for model in models:
        pool = platform.pool(model.node_pool)
        assert pool is not None and pool.gpu is not None
