"""Reusable Pulumi ComponentResources for self-hosted LLM platforms.

Each module holds one component and can be imported on its own from a
hand-written Pulumi program; nothing here imports the `shipyard` engine.
"""
