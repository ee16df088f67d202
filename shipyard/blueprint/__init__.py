"""Blueprint models, loading and validation."""

from shipyard.blueprint.errors import BlueprintError, Problem
from shipyard.blueprint.loader import load_blueprint
from shipyard.blueprint.platform import API_VERSION, Platform

__all__ = ["API_VERSION", "BlueprintError", "Platform", "Problem", "load_blueprint"]
