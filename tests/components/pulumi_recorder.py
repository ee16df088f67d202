"""The component tests' Pulumi mocks: `shipyard.render`'s recording monitor, plus lookups.

Tests may use the engine's recorder; the components themselves never import it.
"""

from __future__ import annotations

from typing import Any

import pulumi

from shipyard.render import EchoMocks, RecordingMonitor, RenderedResource

PASSWORD = "random:index/randomPassword:RandomPassword"


class UnitMocks(EchoMocks):
    """Echo the inputs; a RandomPassword's `result` is `length` x's, as the provider's
    would be (offline it is otherwise missing)."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        if args.typ == PASSWORD:
            outputs["result"] = "x" * int(args.inputs["length"])
        return resource_id, outputs


class Recorder(RecordingMonitor):
    """What the component registered, looked up by type."""

    def of_type(self, type_: str) -> list[RenderedResource]:
        return [r for r in self.recorded if r.type == type_]

    def one(self, type_: str) -> RenderedResource:
        [found] = self.of_type(type_)
        return found
