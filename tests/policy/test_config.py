"""Policy settings in `pulumi --policy-pack-config` format, shared by both runners."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.policy import RULES_BY_NAME, PolicyConfigError, load_policy_config
from shipyard.policy.config import parse_policy_config

PINNED = RULES_BY_NAME["pinned-images"]
COST = RULES_BY_NAME["monthly-cost-within-budget"]


def test_rules_keep_their_default_levels_without_config() -> None:
    settings = parse_policy_config({})
    assert settings.level(PINNED) == "mandatory"
    assert settings.level(COST) == "advisory"


def test_all_sets_every_level_and_a_rule_entry_wins() -> None:
    settings = parse_policy_config(
        {"all": "advisory", "monthly-cost-within-budget": {"enforcementLevel": "mandatory"}}
    )
    assert settings.level(PINNED) == "advisory"
    assert settings.level(COST) == "mandatory"


def test_rule_settings_overlay_schema_defaults() -> None:
    settings = parse_policy_config({"no-plaintext-secrets": {"allowedNames": ["X_TOKEN"]}})
    rule = RULES_BY_NAME["no-plaintext-secrets"]
    assert rule.settings(settings.config(rule)) == {"allowedNames": ["X_TOKEN"]}
    gpu = RULES_BY_NAME["gpu-workloads-target-gpu-pools"]
    assert gpu.settings(settings.config(gpu)) == {"gpuTaintKey": "nvidia.com/gpu"}


def test_unknown_rule_is_an_error() -> None:
    with pytest.raises(
        PolicyConfigError, match=r"^`pinned-image` is not a Shipyard policy; known: "
    ):
        parse_policy_config({"pinned-image": "disabled"})


def test_unknown_level_is_an_error() -> None:
    with pytest.raises(
        PolicyConfigError,
        match=r"^`pinned-images`: `remediate` is not an enforcement level; use one of "
        r"`advisory`, `mandatory`, `disabled`$",
    ):
        parse_policy_config({"pinned-images": "remediate"})


def test_unknown_setting_is_an_error() -> None:
    with pytest.raises(
        PolicyConfigError,
        match=r"^`monthly-cost-within-budget.budget` is not a setting of "
        r"`monthly-cost-within-budget`; it takes `monthlyBudgetUsd`$",
    ):
        parse_policy_config({"monthly-cost-within-budget": {"budget": 10}})


def test_load_names_the_file_and_position(tmp_path: Path) -> None:
    broken = tmp_path / "policy.json"
    broken.write_text('{"all": }')
    with pytest.raises(PolicyConfigError, match=rf"^{broken}:1:9: not valid JSON: "):
        load_policy_config(broken)


def test_the_example_config_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "policies" / "config.example.json"
    settings = load_policy_config(example)
    assert settings.level(RULES_BY_NAME["gpu-workloads-target-gpu-pools"]) == "mandatory"
    assert settings.config(COST) == {"monthlyBudgetUsd": 20000}
