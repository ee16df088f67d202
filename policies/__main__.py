"""Shipyard's CrossGuard policy pack.

    pulumi preview --policy-pack policies [--policy-pack-config policies/config.example.json]

The rules are plain functions in `shipyard/policy/`; `shipyard validate --policies` runs the
same functions offline. Enforcement levels and settings: docs/policies.md.
"""

from pulumi_policy import PolicyPack

from shipyard.policy.pack import PACK_NAME, build_policies

PolicyPack(name=PACK_NAME, policies=build_policies())
