"""Rules over every route of the gateway, private and hosted, shared by the component's
Args and the blueprint checks (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from components.gateway.limits import Limits, multiplied_limit


class Route(Protocol):
    @property
    def served_name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def fallbacks(self) -> tuple[str, ...]: ...
    @property
    def limits(self) -> Limits: ...


def fallback_cycle(fallbacks: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A chain of fallbacks that comes back to where it started, e.g. `[a, b, a]`; None
    when there is none. A request could bounce along it until every retry is spent."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in fallbacks.get(name, ()):
            cycle = visit(target, [*path, name])
            if cycle is not None:
                return cycle
        done.add(name)
        return None

    for start in fallbacks:
        cycle = visit(start, [])
        if cycle is not None:
            return cycle
    return None


def route_problems(routes: Sequence[Route]) -> list[str]:
    """Served names unique, fallbacks naming routes (not themselves, no cycle), aliases
    clashing with nothing."""
    problems: list[str] = []
    served = [route.served_name for route in routes]
    names = set(served)
    if len(names) != len(served):
        problems.append("routes share a served name")
    aliases: list[str] = []
    for route in routes:
        aliases += route.aliases
        unknown = [name for name in route.fallbacks if name not in names]
        if unknown:
            problems.append(
                f"`fallbacks` of `{route.served_name}` name unknown model(s) {', '.join(unknown)}"
            )
        if route.served_name in route.fallbacks:
            problems.append(f"`{route.served_name}` falls back to itself")
    cycle = fallback_cycle(
        {
            route.served_name: [name for name in route.fallbacks if name != route.served_name]
            for route in routes
        }
    )
    if cycle is not None:
        problems.append(f"fallbacks go round in a cycle: {' -> '.join(cycle)}")
    clashes = sorted({a for a in aliases if a in names or aliases.count(a) > 1})
    if clashes:
        problems.append(f"`aliases` {', '.join(clashes)} clash with a model or another alias")
    return problems


def counters(replicas: int, workers: int) -> int:
    """How many processes keep their own count without a shared store."""
    return replicas * workers


def unshared_limits(
    routes: Sequence[Route], key_limits: Sequence[tuple[str, Limits]], replicas: int, workers: int
) -> list[str]:
    """Each limit that every replica and worker would count on its own, with how far it
    really reaches, e.g. "`rpm: 3000` of `mistral-7b` lets up to 9000 rpm through"."""
    processes = counters(replicas, workers)
    found = [
        multiplied_limit(f"`{route.served_name}`", route.limits, processes) for route in routes
    ]
    found += [multiplied_limit(owner, limits, processes) for owner, limits in key_limits]
    return [text for text in found if text]


def processes_phrase(replicas: int, workers: int) -> str:
    """ "3 replicas", "2 replicas x 4 workers"."""
    text = f"{replicas} replica{'s' if replicas != 1 else ''}"
    if workers > 1:
        text += f" x {workers} workers"
    return text
