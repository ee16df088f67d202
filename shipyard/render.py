"""Run the real stack program under Pulumi mocks: offline, no cluster, no credentials.

The result is the resource tree and every Kubernetes object the program would
create. It is the base of `shipyard render`, and later of plans and diffs.
"""

from __future__ import annotations

import gc
import runpy
import sys
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi import _types as pulumi_types
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from shipyard.blueprint import Platform
from shipyard.program import BLUEPRINT_KEY, CONFIG_NAMESPACE, preloaded_blueprint

PROJECT = "shipyard"
STACK_PROGRAM = Path("stacks") / "__main__.py"


@dataclass(frozen=True)
class RenderedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    protect: bool = False
    """The `protect` resource option, as the engine shows it to policy packs."""
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Input property name -> URNs of the resources its value came from."""
    dependencies: tuple[str, ...] = ()
    """URNs of every resource it waits for: `depends_on` and its inputs' sources."""
    provider: str | None = None
    """The explicit provider reference (`<provider urn>::<id>`), or None for the default."""
    ignore_changes: tuple[str, ...] = ()
    """The `ignore_changes` resource option: property paths an update leaves alone."""
    note: str | None = None
    """Why an entry stands for objects it does not show (a chart not available offline)."""

    @property
    def is_kubernetes_object(self) -> bool:
        # Helm releases and charts are not objects: a v3 Release's objects exist only on a
        # cluster; a v4 Chart's and a ConfigGroup's are recorded as its children.
        return self.type.startswith("kubernetes:") and not self.type.startswith(
            ("kubernetes:pulumi:", "kubernetes:helm.sh/", "kubernetes:yaml/")
        )

    def manifest(self) -> dict[str, Any]:
        """The object as `kubectl apply` would take it."""
        _, api, kind = self.type.split(":", 2)
        api_version = api.removeprefix("core/")
        body = {k: v for k, v in self.inputs.items() if k not in ("apiVersion", "kind")}
        manifest = {"apiVersion": self.inputs.get("apiVersion", api_version), "kind": kind, **body}
        return _restore_integers(manifest)  # type: ignore[no-any-return]


SECRET_PLACEHOLDER = "[secret]"
"""Written instead of a Pulumi secret's value (offline, the value does not exist)."""


def _mask(value: Any) -> Any:
    """A secret's shape with every scalar replaced, so the object still validates."""
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return SECRET_PLACEHOLDER


def _restore_integers(value: Any) -> Any:
    """Undo the wire format's doubles: `3.0` back to `3`, as the program wrote it.

    Pulumi secrets arrive wrapped in a signature object; they become `[secret]`."""
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return _mask(value.get("value"))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _restore_integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore_integers(item) for item in value]
    return value


class EchoMocks(pulumi.runtime.Mocks):
    """Every resource's outputs are its inputs, its id `<name>-id`; calls return nothing."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


COMPUTED_PLACEHOLDER = "<computed at deploy: {name}.{property} ({type})>"
"""Written instead of a string output that only the provider knows (an IAM role's `name`,
a cluster's `endpoint`), so a reader and a validator see that the field is set at deploy
instead of finding it missing. Offline nothing else can stand for it."""


def computed_placeholder(type_token: str, name: str, prop: str) -> str:
    """`<computed at deploy: NAME.PROPERTY (TYPE)>` for one resource's output property."""
    return COMPUTED_PLACEHOLDER.format(name=name, property=prop, type=type_token)


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _is_string(hint: Any) -> bool:
    """`str` or `Optional[str]`: the outputs a placeholder string can stand for."""
    if hint is str:
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return set(typing.get_args(hint)) == {str, type(None)}
    return False


class ResourceClasses:
    """Resource classes by type token (`@pulumi.type_token`), among those imported so far."""

    def __init__(self) -> None:
        self._by_token: dict[str, type] = {}
        self._string_outputs: dict[str, list[str]] = {}
        self._modules_seen = -1

    def get(self, type_token: str) -> type | None:
        # A token not found is looked for again only once more modules are imported: a
        # component's token (never a CustomResource) walked every class at each instance.
        if type_token not in self._by_token and len(sys.modules) != self._modules_seen:
            self._modules_seen = len(sys.modules)
            for cls in _subclasses(pulumi.CustomResource):
                token = pulumi.get_type_token(cls)
                if token:
                    self._by_token.setdefault(token, cls)
        return self._by_token.get(type_token)

    def string_outputs(self, type_token: str) -> list[str]:
        """The resource's output properties of string type (Pulumi names)."""
        known = self._string_outputs.get(type_token)
        if known is not None:
            return known
        cls = self.get(type_token)
        if cls is None:
            return []
        hints = pulumi_types.resource_types(cls)
        found = sorted(prop for prop, hint in hints.items() if _is_string(hint))
        self._string_outputs[type_token] = found
        return found


class DeployTimeMocks(EchoMocks):
    """`EchoMocks`, plus a placeholder for every string output the inputs do not give
    (`COMPUTED_PLACEHOLDER`). Without it such an output resolves to None offline, and a
    field built from it is silently left out of the rendered object."""

    def __init__(self) -> None:
        super().__init__()
        self.classes = ResourceClasses()

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        for prop in self.classes.string_outputs(args.typ):
            if outputs.get(prop) is None and prop not in ("id", "urn"):
                outputs[prop] = computed_placeholder(args.typ, args.name, prop)
        return resource_id, outputs


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping every registration but the stack's, in order.

    `render_program` uses it; so do the component unit tests."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RenderedResource] = []
        self.project = "project"
        self.stack = "stack"

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The SDK's own make_urn reads the project and stack from settings, which
        # registrations running on executor threads do not see (pulumi 3.259), so
        # every URN came out as `stack::project`. Use the names given at install.
        if parent:
            type_ = parent.split("::")[2].split("$").pop() + "$" + type_
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        response = (
            super().RegisterResource(request)  # type: ignore[no-untyped-call]
            if request.type == "pulumi:pulumi:Stack"
            else self._register(request)
        )
        if request.type in EXPANDED_BY_PROVIDER:
            self._record_expanded(request, response.urn)
        elif request.type != "pulumi:pulumi:Stack":
            state = self.resources[response.urn].state
            # A resource's own placeholders stand for its outputs, not its inputs; those it
            # was given (another resource's outputs) stay.
            own = {key: computed_placeholder(request.type, request.name, key) for key in state}
            inputs = {key: value for key, value in state.items() if value != own[key]}
            self.recorded.append(
                RenderedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    inputs=inputs,
                    protect=bool(request.protect),
                    property_dependencies={
                        key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()
                    },
                    dependencies=tuple(request.dependencies),
                    provider=request.provider or None,
                    ignore_changes=tuple(request.ignoreChanges),
                )
            )
        return response

    def _register(self, request: Any) -> Any:
        """`MockMonitor.RegisterResource` without its round trip. A plain output (see
        `_plain`) the mocks echo unchanged, the same object as the input, is answered with
        the request's own wire value; another plain one is converted by protobuf directly.
        Only the rest goes through the SDK's serializer, as in `MockMonitor`."""
        urn = self.make_urn(request.parent, request.type, request.name)
        # Deserializing a resource reference needs an event loop on this thread.
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        inputs = rpc.deserialize_properties(request.object)
        resource_id, state = self.mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.importId,
                custom=request.custom or False,
            )
        )
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id or "")
        wire = response.object
        rest = {}
        for key, value in state.items():
            if not _plain(value):
                rest[key] = value
            elif key in inputs and inputs[key] is value:
                wire.fields[key].CopyFrom(request.object.fields[key])
            else:  # a placeholder, say: protobuf's own conversion, as serializing ends in
                wire.update({key: value})
        if rest:
            serialized = _sync_await(rpc.serialize_properties(rest, {}))
            for key in serialized.fields:
                wire.fields[key].CopyFrom(serialized.fields[key])
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(
            urn,
            resource_id,  # type: ignore[arg-type]
            state,
        )
        return response

    def _record_expanded(self, request: Any, urn: str) -> None:
        """A `helm.v4.Chart` or `yaml.v2.ConfigGroup`: the provider would expand it into
        objects, each a child; offline, `shipyard.sections.charts.expand` stands in."""
        from shipyard.sections.charts.expand import CHART_TYPE, expand_registered

        inputs = _restore_integers(dict(self.resources[urn].state))
        note = None
        if request.type == CHART_TYPE:
            expansion = expand_registered(request.name, inputs)
            objects, note = expansion.objects, expansion.note
        else:
            objects = list(inputs.get("objs") or [])
        self.recorded.append(
            RenderedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                inputs=inputs,
                dependencies=tuple(request.dependencies),
                provider=request.provider or None,
                note=note,
            )
        )
        for manifest in objects or []:
            self.recorded.append(self._expanded_object(urn, request, manifest))

    def _expanded_object(
        self, parent: str, request: Any, manifest: dict[str, Any]
    ) -> RenderedResource:
        api_version, kind = str(manifest.get("apiVersion", "")), str(manifest.get("kind", ""))
        metadata = manifest.get("metadata") or {}
        namespace, name = metadata.get("namespace"), metadata.get("name", "")
        # The provider's type tokens: `kubernetes:core/v1:Service`, `kubernetes:apps/v1:...`.
        token = f"kubernetes:{'core/' if '/' not in api_version else ''}{api_version}:{kind}"
        child = f"{request.name}:{namespace}/{name}" if namespace else f"{request.name}:{name}"
        urn = self.make_urn(parent, token, child)
        return RenderedResource(
            urn=urn,
            type=token,
            name=child,
            parent=parent,
            inputs=manifest,
            dependencies=tuple(request.dependencies),
            provider=request.provider or None,
        )


def _plain(value: Any) -> bool:
    """A value whose wire form is exactly what serializing it gives: strings, numbers,
    booleans and their lists and maps. Not None (dropped when serialized), the unknown
    sentinel, assets or resource references."""
    if isinstance(value, str):
        return value != rpc.UNKNOWN
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return False


EXPANDED_BY_PROVIDER = frozenset({"kubernetes:helm.sh/v4:Chart", "kubernetes:yaml/v2:ConfigGroup"})
"""Component resources the Kubernetes provider expands into objects itself."""


def install_monitor(monitor: pulumi_mocks.MockMonitor, project: str, stack: str) -> None:
    """Point the Pulumi runtime at `monitor` (and its mocks), under a fresh root stack.

    Fresh, so that repeated runs in one process never parent their resources to a
    previous run's stack."""
    pulumi_settings.ROOT.set(None)
    if isinstance(monitor, RecordingMonitor):
        monitor.project, monitor.stack = project, stack
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor
    )


def find_project_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `Pulumi.yaml`."""
    for directory in (start.resolve(), *start.resolve().parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    return None


GC_THRESHOLDS = (50_000, 20, 100)
"""The collector's thresholds while a program renders. At the default (700, 10, 10) the
collector took a third of a 1,000-model render, scanning the SDK's many young objects
again and again; these keep the memory peak no higher (docs/performance.md)."""


def _no_stack_trace() -> Any:
    return source_pb2.StackTrace()


@contextmanager
def _render_runtime() -> Iterator[None]:
    """The process tuned for one render, and put back after.

    - The garbage collector: what was there before (the imported modules) is frozen out
      of its scans, and it runs less often (`GC_THRESHOLDS`).
    - The SDK's stack trace of every registration: only the engine shows it (the source
      position of a resource), the mock monitor drops it, and it was a tenth of a render.
    """
    thresholds = gc.get_threshold()
    stack_trace = pulumi_resource._get_stack_trace
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    pulumi_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = stack_trace
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def render_program(
    program: Callable[[], None], stack: str, config: dict[str, str]
) -> list[RenderedResource]:
    """Run `program` against a recording mock monitor and return what it registered."""
    monitor = RecordingMonitor(DeployTimeMocks())
    install_monitor(monitor, PROJECT, stack)
    pulumi.runtime.set_all_config(config, [])
    with _render_runtime():
        _sync_await(run_pulumi_func(program))
    return list(monitor.recorded)


def render_blueprint(
    blueprint: Path,
    project_root: Path,
    stack: str = "render",
    platform: Platform | None = None,
) -> list[RenderedResource]:
    """Run the project's real stack program for `blueprint` under mocks.

    `platform`, the caller's own `load_blueprint(blueprint)`, is what the program uses
    instead of reading, parsing and validating the same file a second time."""
    program_file = project_root / STACK_PROGRAM
    absolute = Path(blueprint).resolve()
    inside = absolute.is_relative_to(project_root.resolve())
    named = absolute.relative_to(project_root.resolve()) if inside else absolute
    config = {f"{CONFIG_NAMESPACE}:{BLUEPRINT_KEY}": str(named)}
    with preloaded_blueprint(absolute, platform):
        return render_program(lambda: _run_file(program_file), stack, config)


def _run_file(program_file: Path) -> None:
    runpy.run_path(str(program_file), run_name="__main__")
