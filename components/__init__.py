"""Reusable Pulumi ComponentResources for self-hosted LLM platforms.

One package per component (`components.vllm`, `components.kafka`, ...), each exporting its
ComponentResource and Args from its `__init__`; `components.shared` holds the building
blocks they share. Nothing here imports the `shipyard` engine, so a hand-written Pulumi
program can use any component alone.
"""
