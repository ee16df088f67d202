"""The component tests' Pulumi mocks: `shipyard.render`'s recording monitor, plus lookups.

Tests may use the engine's recorder; the components themselves never import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings

from shipyard.render import EchoMocks, RecordingMonitor, RenderedResource, install_monitor

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


class DistinctPasswords(UnitMocks):
    """Every RandomPassword gets its own recognisable value, `template` with the
    resource's name (dashes dropped), so a leak can be found."""

    def __init__(self, template: str) -> None:
        super().__init__()
        self.template = template

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        if args.typ == PASSWORD:
            outputs["result"] = self.template.format(args.name).replace("-", "")
        return resource_id, outputs


class Recorder(RecordingMonitor):
    """What the component registered, looked up by type, and the outputs components
    registered (to check that no secret is among them)."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registered_outputs: list[str] = []

    def RegisterResourceOutputs(self, request: Any) -> Any:  # the gRPC method name
        self.registered_outputs.append(str(request.outputs))
        return super().RegisterResourceOutputs(request)

    def of_type(self, type_: str) -> list[RenderedResource]:
        return [r for r in self.recorded if r.type == type_]

    def one(self, type_: str) -> RenderedResource:
        [found] = self.of_type(type_)
        return found


def recording_monitor(mocks: pulumi.runtime.Mocks) -> Iterator[Recorder]:
    """The body of a `monitor` fixture: a fresh recorder and root stack for one test."""
    recorder = Recorder(mocks)
    install_monitor(recorder, project="unit", stack="test")
    yield recorder
    # Nothing parents to this test's stack afterwards (another test's, or a render's).
    pulumi_settings.ROOT.set(None)
