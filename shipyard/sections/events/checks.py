"""Checks of `spec.events`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from components.kafka.args import (
    controllers_problem,
    default_min_insync_replicas,
    default_replication_factor,
    min_insync_problem,
    replication_problem,
    retention_problem,
    storage_size_problem,
    topic_collision_key,
    topic_name_problem,
    topic_resource_name,
    user_name_problem,
)
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.events.model import EventsSpec, KafkaUserSpec, TopicSpec

BASE: Path = ("spec", "events")


def topic_replicas(spec: EventsSpec, topic: TopicSpec) -> int:
    """`replicas`, default 3 or every broker when there are fewer."""
    if topic.replicas is not None:
        return topic.replicas
    return default_replication_factor(spec.brokers.replicas)


def topic_min_insync(spec: EventsSpec, topic: TopicSpec) -> int:
    if topic.min_in_sync_replicas is not None:
        return topic.min_in_sync_replicas
    return default_min_insync_replicas(topic_replicas(spec, topic))


def _pools(spec: EventsSpec) -> Iterator[Finding]:
    if spec.brokers.replicas < 1:
        yield (
            (*BASE, "brokers", "replicas"),
            f"brokers must be at least 1, got {spec.brokers.replicas}",
        )
    problem = controllers_problem(spec.controllers.replicas)
    if problem:
        yield ((*BASE, "controllers", "replicas"), problem)
    for pool, storage in (
        ("brokers", spec.brokers.storage),
        ("controllers", spec.controllers.storage),
    ):
        problem = storage_size_problem(storage.size)
        if problem:
            yield ((*BASE, pool, "storage", "size"), problem)


def _topic(spec: EventsSpec, path: Path, topic: TopicSpec) -> Iterator[Finding]:
    problem = topic_name_problem(topic.name)
    if problem:
        yield ((*path, "name"), problem)
    if topic.partitions < 1:
        yield ((*path, "partitions"), f"partitions must be at least 1, got {topic.partitions}")
    replicas = topic_replicas(spec, topic)
    if spec.brokers.replicas >= 1:
        problem = replication_problem(replicas, spec.brokers.replicas)
        if problem:
            yield ((*path, "replicas"), problem)
            return
    elif replicas < 1:
        yield ((*path, "replicas"), f"replicas must be at least 1, got {replicas}")
        return
    problem = min_insync_problem(topic_min_insync(spec, topic), replicas)
    if problem:
        yield ((*path, "minInSyncReplicas"), problem)
    problem = retention_problem(topic.retention)
    if problem:
        yield ((*path, "retention"), problem)


def _topics(spec: EventsSpec) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    resources: dict[str, str] = {}
    for index, topic in enumerate(spec.topics):
        path: Path = (*BASE, "topics", index)
        key = topic_collision_key(topic.name)
        if key in seen:
            other = seen[key]
            what = "is declared twice" if other == topic.name else f"collides with `{other}`"
            yield (
                (*path, "name"),
                f"topic `{topic.name}` {what} (Kafka reads `.` and `_` as the same); rename one",
            )
        else:
            resource = topic_resource_name(topic.name)
            if resource in resources:
                yield (
                    (*path, "name"),
                    f"topic `{topic.name}` and `{resources[resource]}` would share the "
                    f"KafkaTopic name `{resource}`; rename one",
                )
            resources[resource] = topic.name
        seen.setdefault(key, topic.name)
        yield from _topic(spec, path, topic)


def _user(spec: EventsSpec, path: Path, user: KafkaUserSpec) -> Iterator[Finding]:
    problem = user_name_problem(user.name)
    if problem:
        yield ((*path, "name"), problem)
    if user.password_secret is not None and spec.authentication != "scram-sha-512":
        yield (
            (*path, "passwordSecret"),
            "a password needs `authentication: scram-sha-512`; mutual TLS users get certificates",
        )
    topics = [topic.name for topic in spec.topics]
    for index, acl in enumerate(user.acls):
        if acl.type != "topic" or acl.pattern_type == "prefix" or acl.name == "*":
            continue
        if acl.name not in topics:
            declared = ", ".join(f"`{name}`" for name in topics) or "none"
            yield (
                (*path, "acls", index, "name"),
                f"no topic named `{acl.name}`{did_you_mean(acl.name, topics)}; declare it in "
                f"`spec.events.topics` or use `patternType: prefix` (declared: {declared})",
            )


def _users(platform: Platform, spec: EventsSpec) -> Iterator[Finding]:
    bound = any(use.kind == "events" for app in platform.spec.apps for use in app.uses)
    if not spec.users and not bound:
        yield (
            (*BASE, "users"),
            "declare at least one user (or bind an app to `events`): only their pods are "
            "admitted to the listener, and Strimzi admits every pod when none is named",
        )
    seen: set[str] = set()
    for index, user in enumerate(spec.users):
        path: Path = (*BASE, "users", index)
        if user.name in seen:
            yield ((*path, "name"), f"user `{user.name}` is declared twice; remove one")
        seen.add(user.name)
        yield from _user(spec, path, user)


def check_events(platform: Platform) -> Iterator[Finding]:
    spec = platform.spec.events
    if spec is None:
        return
    yield from _pools(spec)
    yield from _topics(spec)
    yield from _users(platform, spec)
