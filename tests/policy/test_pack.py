"""`shipyard.policy.pack`: each rule becomes a pulumi_policy policy of the matching kind."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from shipyard.policy import RULES, RULES_BY_NAME
from shipyard.policy.pack import build_policies, to_policy


def test_resource_and_stack_rules_map_to_their_policy_kinds() -> None:
    policies = build_policies()
    assert [p.name for p in policies] == [rule.name for rule in RULES]
    for policy, rule in zip(policies, RULES, strict=True):
        kind = StackValidationPolicy if rule.is_stack_rule else ResourceValidationPolicy
        assert isinstance(policy, kind), rule.name
        assert policy.enforcement_level == EnforcementLevel(rule.enforcement_level)


def args(props: dict[str, Any], protect: bool, config: dict[str, Any] | None = None) -> Any:
    options = PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    return ResourceValidationArgs(
        "kubernetes:core/v1:PersistentVolumeClaim", props, "urn:pvc", "pvc", options, None, config
    )


def test_resource_policy_passes_protect_and_config_to_the_rule() -> None:
    policy = to_policy(RULES_BY_NAME["stateful-resources-protected"])
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    policy.validate(args({}, protect=True), report)
    policy.validate(args({}, protect=False, config={"allowDataLoss": True}), report)
    assert reported == []
    policy.validate(args({}, protect=False), report)
    assert reported == [
        (
            "the resource option protect is not set on a resource that holds data; protect it, "
            "mark re-creatable data with shipyard.dev/data: cache, or set allowDataLoss for this "
            "stack.",
            None,
        )
    ]
