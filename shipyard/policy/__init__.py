"""Shipyard's policies: plain rule functions shared by the CrossGuard pack in `policies/`
and the offline runner behind `shipyard validate --policies`.

Importing this package never imports Pulumi or `pulumi_policy`.
"""

from shipyard.policy.config import PolicyConfigError, PolicySettings, load_policy_config
from shipyard.policy.model import EnforcementLevel, Resource, Rule, Violation
from shipyard.policy.rules import RULES, RULES_BY_NAME
from shipyard.policy.runner import Finding, evaluate, resources_from_render

__all__ = [
    "RULES",
    "RULES_BY_NAME",
    "EnforcementLevel",
    "Finding",
    "PolicyConfigError",
    "PolicySettings",
    "Resource",
    "Rule",
    "Violation",
    "evaluate",
    "load_policy_config",
    "resources_from_render",
]
