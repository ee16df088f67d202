"""`shipyard validate --policies`: the pack's rules offline; exit 1 on mandatory violations,
advisory ones printed as warnings, one `FILE: policy (level): type name: message` per line."""

from __future__ import annotations

import json
from pathlib import Path

from shipyard.blueprint import Platform, load_blueprint
from shipyard.cli.validate import summary
from shipyard.cost import estimate_platform
from shipyard.policy.rules import RULES

PROD = Path(__file__).resolve().parents[2] / "blueprints" / "prod.yaml"
DEV_VALID = "blueprints/dev.yaml: valid (1 node pool(s), 1 model(s); gateway, ray)\n"
NO_TOLERATION = (
    "blueprints/dev.yaml: gpu-workloads-target-gpu-pools ({level}): "
    "kubernetes:apps/v1:Deployment qwen-small: spec.template.spec.tolerations has no toleration "
    'for the GPU taint "nvidia.com/gpu", so the pod cannot schedule on tainted GPU nodes.'
)
OVER_BUDGET = (
    "blueprints/prod.yaml: monthly-cost-within-budget ({level}): pulumi:pulumi:Stack prod: "
    "the estimated monthly cost at desired sizes is {desired} USD, over monthlyBudgetUsd of "
    "1,000.00 USD; run `shipyard cost` for the breakdown."
)


def valid_line(path: str, platform: Platform) -> str:
    return f"{path}: valid ({summary(platform)})\n"


def passed_line(path: str, warnings: int = 0) -> str:
    """What `--policies` says when no mandatory rule is violated: that the rules ran."""
    warned = f", {warnings} advisory warning(s)" if warnings else ""
    return f"{path}: policies passed ({len(RULES)} of {len(RULES)} rules ran{warned})\n"


def over_budget(level: str) -> str:
    """The budget finding for prod.yaml against a 1,000 USD budget, from `shipyard.cost`."""
    desired = estimate_platform(load_blueprint(PROD)).total.desired
    assert desired > 1000
    return OVER_BUDGET.format(level=level, desired=f"{desired:,.2f}")


def config(tmp_path: Path, data: object) -> str:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_example_blueprints_pass_every_policy(invoke) -> None:
    result = invoke(["validate", "--policies", "blueprints/dev.yaml", "blueprints/prod.yaml"])
    assert result.exit_code == 0
    assert result.stdout == (
        DEV_VALID
        + passed_line("blueprints/dev.yaml")
        + valid_line("blueprints/prod.yaml", load_blueprint(PROD))
        + passed_line("blueprints/prod.yaml")
    )
    assert result.stderr == ""


def test_a_budget_within_the_estimate_passes(invoke, tmp_path) -> None:
    path = config(tmp_path, {"monthly-cost-within-budget": {"monthlyBudgetUsd": 100000}})
    result = invoke(["validate", "--policies", "--policy-config", path, "blueprints/prod.yaml"])
    assert result.exit_code == 0
    assert result.stdout.endswith(passed_line("blueprints/prod.yaml"))
    assert result.stderr == ""


def test_advisory_violations_are_warnings_and_exit_0(invoke, tmp_path) -> None:
    path = config(tmp_path, {"monthly-cost-within-budget": {"monthlyBudgetUsd": 1000}})
    result = invoke(["validate", "--policies", "--policy-config", path, "blueprints/prod.yaml"])
    assert result.exit_code == 0
    assert result.stdout == valid_line("blueprints/prod.yaml", load_blueprint(PROD)) + passed_line(
        "blueprints/prod.yaml", warnings=1
    )
    assert result.stderr == over_budget("advisory") + "\n"


def test_mandatory_violations_exit_1(invoke, tmp_path) -> None:
    path = config(
        tmp_path,
        {
            "monthly-cost-within-budget": {
                "enforcementLevel": "mandatory",
                "monthlyBudgetUsd": 1000,
            }
        },
    )
    result = invoke(["validate", "--policies", "--policy-config", path, "blueprints/prod.yaml"])
    assert result.exit_code == 1
    assert result.stdout == valid_line("blueprints/prod.yaml", load_blueprint(PROD))
    assert result.stderr == (
        over_budget("mandatory") + "\n1 of 1 blueprint(s) violate mandatory policies\n"
    )


def test_a_blueprint_that_drops_the_gpu_taint_warns(invoke, write_blueprint, dev_blueprint) -> None:
    text = dev_blueprint.read_text().replace(
        "      gpu:\n        type: nvidia-a10g\n",
        "      taints: []\n      gpu:\n        type: nvidia-a10g\n",
    )
    assert "taints: []" in text
    path = write_blueprint(text, "untainted.yaml")
    result = invoke(["validate", "--policies", str(path)])
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    # Every GPU workload on the pool is reported: the model server, and Ray's GPU workers.
    assert NO_TOLERATION.format(level="advisory").replace("blueprints/dev.yaml", str(path)) in lines
    assert all(": gpu-workloads-target-gpu-pools (advisory): " in line for line in lines)


def test_enforcement_level_can_make_an_advisory_rule_mandatory(
    invoke, write_blueprint, dev_blueprint, tmp_path
) -> None:
    text = dev_blueprint.read_text().replace(
        "      gpu:\n        type: nvidia-a10g\n",
        "      taints: []\n      gpu:\n        type: nvidia-a10g\n",
    )
    path = write_blueprint(text, "untainted.yaml")
    strict = config(tmp_path, {"gpu-workloads-target-gpu-pools": "mandatory"})
    result = invoke(["validate", "--policies", "--policy-config", strict, str(path)])
    assert result.exit_code == 1
    *findings, summary = result.stderr.splitlines()
    expected = NO_TOLERATION.format(level="mandatory").replace("blueprints/dev.yaml", str(path))
    assert expected in findings
    assert summary == "1 of 1 blueprint(s) violate mandatory policies"


def test_a_bad_policy_config_is_a_user_error(invoke, tmp_path) -> None:
    path = config(tmp_path, {"pinned-images": "strict"})
    result = invoke(["validate", "--policies", "--policy-config", path, "blueprints/dev.yaml"])
    assert result.exit_code == 2  # a usage error, as in `shipyard plan`
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}: `pinned-images`: `strict` is not an enforcement level; use one of "
        "`advisory`, `mandatory`, `disabled`\n"
    )
    assert "Traceback" not in result.output


def test_invalid_blueprints_are_not_rendered(invoke, write_blueprint) -> None:
    path = write_blueprint("apiVersion: shipyard.dev/v1alpha1\n", "bad.yaml")
    result = invoke(["validate", "--policies", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 of 1 blueprint(s) invalid"
    assert "violate mandatory policies" not in result.stderr


def test_disabled_rules_are_counted_out(invoke, tmp_path) -> None:
    path = config(tmp_path, {"pinned-images": "disabled"})
    result = invoke(["validate", "--policies", "--policy-config", path, "blueprints/dev.yaml"])
    assert result.exit_code == 0
    assert result.stdout == DEV_VALID + (
        f"blueprints/dev.yaml: policies passed ({len(RULES) - 1} of {len(RULES)} rules ran)\n"
    )
