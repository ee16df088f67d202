"""Shipyard's Pulumi program: deploys the blueprint named in stack config."""

from pathlib import Path

from shipyard.program import run_stack

run_stack(project_root=Path(__file__).resolve().parent.parent)
