"""The model size table: lookups and the figures the fit check depends on."""

from __future__ import annotations

from shipyard.facts.models import MODEL_SIZES, ModelSize, lookup_model


def test_lookup_ignores_case() -> None:
    expected = ModelSize(8.03, 32, 8, 128, 131072)
    assert lookup_model("meta-llama/Llama-3.1-8B-Instruct") == expected
    assert lookup_model("META-LLAMA/LLAMA-3.1-8B-INSTRUCT") == expected


def test_unknown_model_is_none() -> None:
    assert lookup_model("acme/secret-model") is None


def test_table_keys_are_lowercase_so_lookups_can_find_them() -> None:
    assert [key for key in MODEL_SIZES if key != key.lower()] == []


def test_every_entry_is_positive() -> None:
    for model_id, size in MODEL_SIZES.items():
        assert size.parameters_billion > 0, model_id
        assert min(size.layers, size.kv_heads, size.head_dim, size.max_context_length) >= 1


def test_the_example_blueprint_models_are_in_the_table() -> None:
    for model_id in (
        "Qwen/Qwen2.5-0.5B-Instruct",
        "meta-llama/Llama-3.1-8B-Instruct",
        "meta-llama/Llama-3.3-70B-Instruct",
    ):
        assert lookup_model(model_id) is not None, model_id
