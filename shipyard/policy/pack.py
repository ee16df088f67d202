"""Adapt each `Rule` to a `pulumi_policy` policy with the same name, description and level.

Imported by `policies/__main__.py` only; the offline runner never loads `pulumi_policy`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from shipyard.policy.model import Resource, Rule
from shipyard.policy.rules import RULES

PACK_NAME = "shipyard"


def _resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    urn: str,
    protect: bool,
    property_dependencies: Mapping[str, Sequence[str]] | None = None,
) -> Resource:
    return Resource(
        type=resource_type,
        name=name,
        props=props,
        urn=urn,
        protect=bool(protect),
        property_dependencies=property_dependencies or {},
    )


def from_validation_args(args: ResourceValidationArgs) -> Resource:
    return _resource(args.resource_type, args.name, args.props, args.urn, args.opts.protect)


def from_policy_resource(resource: PolicyResource) -> Resource:
    return _resource(
        resource.resource_type,
        resource.name,
        resource.props,
        resource.urn,
        resource.opts.protect,
        {key: [r.urn for r in deps] for key, deps in resource.property_dependencies.items()},
    )


def to_policy(rule: Rule) -> Policy:
    level = EnforcementLevel(rule.enforcement_level)
    schema = PolicyConfigSchema(properties=dict(rule.config_schema)) if rule.config_schema else None
    if rule.stack_check is not None:
        stack_check = rule.stack_check

        def validate_stack(args: StackValidationArgs, report: ReportViolation) -> None:
            resources = [from_policy_resource(r) for r in args.resources]
            for violation in stack_check(resources, rule.settings(args.get_config())):
                report(violation.message, violation.urn)

        return StackValidationPolicy(
            name=rule.name,
            description=rule.description,
            validate=validate_stack,
            enforcement_level=level,
            config_schema=schema,
        )
    resource_check = rule.resource_check
    assert resource_check is not None

    def validate_resource(args: ResourceValidationArgs, report: ReportViolation) -> None:
        for message in resource_check(from_validation_args(args), rule.settings(args.get_config())):
            report(message, None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate_resource,
        enforcement_level=level,
        config_schema=schema,
    )


def build_policies(rules: Sequence[Rule] = RULES) -> list[Policy]:
    return [to_policy(rule) for rule in rules]
