"""The base every component Args model shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ComponentArgs(BaseModel):
    """Frozen and strict: an unknown argument is an error, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)
