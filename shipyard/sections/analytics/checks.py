"""Checks of `spec.analytics`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from components.clickhouse.args import (
    database_problem,
    keeper_replicas_problem,
    keeper_required_problem,
    retention_days_problem,
    user_name_problem,
)
from components.shared.args import storage_size_problem
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.analytics.model import AnalyticsSpec

BASE: Path = ("spec", "analytics")
GATEWAY_USER = "gateway"
"""The user the gateway writes its request logs as, when `gatewayLogs` is on."""


def gateway_logs_wired(platform: Platform) -> bool:
    """The gateway sends its request logs to ClickHouse: both declared, `gatewayLogs` on."""
    spec = platform.spec.analytics
    return spec is not None and spec.gateway_logs and platform.spec.gateway is not None


def _keeper(spec: AnalyticsSpec) -> Iterator[Finding]:
    problem = keeper_required_problem(spec.shards, spec.replicas, spec.keeper is not None)
    if problem:
        yield ((*BASE, "replicas" if spec.replicas > 1 else "shards"), problem)
    if spec.keeper is None:
        return
    path: Path = (*BASE, "keeper")
    problem = keeper_replicas_problem(spec.keeper.replicas)
    if problem:
        yield ((*path, "replicas"), problem)
    problem = storage_size_problem(spec.keeper.storage.size)
    if problem:
        yield ((*path, "storage", "size"), problem)


def _users(platform: Platform, spec: AnalyticsSpec) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, user in enumerate(spec.users):
        path: Path = (*BASE, "users", index, "name")
        problem = user_name_problem(user.name)
        if problem:
            yield (path, problem)
        elif user.name in seen:
            yield (path, f"user `{user.name}` is declared twice; remove one")
        elif user.name == GATEWAY_USER and gateway_logs_wired(platform):
            yield (
                path,
                f"`{GATEWAY_USER}` is the user the gateway logs as; choose another name or "
                "set `gatewayLogs: false`",
            )
        seen.add(user.name)


def check_analytics(platform: Platform) -> Iterator[Finding]:
    spec = platform.spec.analytics
    if spec is None:
        return
    problem = storage_size_problem(spec.storage.size)
    if problem:
        yield ((*BASE, "storage", "size"), problem)
    yield from _keeper(spec)
    problem = database_problem(spec.database)
    if problem:
        yield ((*BASE, "database"), problem)
    for field, days in (
        ("retentionDays", spec.retention_days),
        ("usageRetentionDays", spec.usage_retention_days),
    ):
        problem = retention_days_problem(days)
        if problem:
            yield ((*BASE, field), problem)
    yield from _users(platform, spec)
