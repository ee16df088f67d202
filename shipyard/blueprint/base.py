"""The base of every blueprint model: camelCase keys, unknown keys rejected."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from pydantic.fields import ComputedFieldInfo, FieldInfo


def _title(name: str, info: FieldInfo | ComputedFieldInfo) -> str:
    # Editors show the title; the YAML key is what the user types.
    return (info.alias if isinstance(info, FieldInfo) else None) or to_camel(name)


class BlueprintModel(BaseModel):
    """A blueprint section. A typo in a key is an error, never silently ignored."""

    model_config = ConfigDict(
        extra="forbid",
        # A quoted `replicas: "2"` or `prefixCaching: "no"` is a wrong type, not
        # something to coerce silently.
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        field_title_generator=_title,
    )
