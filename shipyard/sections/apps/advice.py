"""Advisories about apps (likely mistakes that do not stop a deploy): a topic an app
consumes that nothing in the blueprint produces, unless the topic says its producers are
outside (`externalProducers: true`)."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.errors import Finding
from shipyard.blueprint.platform import Platform


def _producers(platform: Platform) -> set[str]:
    """Topics some app produces, or some declared Kafka user may write."""
    produced = {
        t for app in platform.spec.apps for u in app.uses if u.kind == "events" for t in u.produce
    }
    events = platform.spec.events
    if events is not None:
        for user in events.users:
            produced |= {
                acl.name
                for acl in user.acls
                if acl.type == "topic" and {"Write", "All"} & set(acl.operations)
            }
    return produced


def unproduced_topics(platform: Platform) -> Iterator[Finding]:
    events = platform.spec.events
    if events is None:
        return
    external = {topic.name for topic in events.topics if topic.external_producers}
    produced = _producers(platform) | external
    for index, app in enumerate(platform.spec.apps):
        for position, use in enumerate(app.uses):
            if use.kind != "events":
                continue
            for item, topic in enumerate(use.consume):
                if topic not in produced:
                    yield (
                        ("spec", "apps", index, "uses", position, "consume", item),
                        f"app `{app.name}` consumes `{topic}`, which no app produces; set "
                        "`externalProducers: true` on the topic if its producers are outside "
                        "the blueprint",
                    )
