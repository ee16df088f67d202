"""AWS value rules every section and component shares: resource tags.

Source: AWS, "Tagging best practices" / "Tag naming limits and requirements"
(https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html, read 2026-12):
a key is 1 to 128 Unicode characters, a value 0 to 256, both from letters, digits,
spaces and `_ . : / = + - @`; the `aws:` prefix (any case) is reserved for AWS and a
tag using it is refused; at most 50 user tags per resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from components.shared.args import problem_validator
from components.shared.k8s_values import shown

TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_MAX = 50
RESERVED_TAG_PREFIX = "aws:"
# Unicode letters and digits, spaces, and the punctuation AWS lists; nothing else
# (no newline, tab or control character).
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")


def tag_key_problem(key: str) -> str | None:
    """Why `key` cannot key an AWS tag, or None."""
    if not 1 <= len(key) <= TAG_KEY_MAX:
        return f"tag key {shown(key[:40])} must be 1 to {TAG_KEY_MAX} characters, got {len(key)}"
    if key.lower().startswith(RESERVED_TAG_PREFIX):
        return f"tag key {shown(key)} uses the prefix `aws:`, which AWS reserves; rename it"
    if not _TAG_TEXT.fullmatch(key):
        return f"tag key {shown(key)} may hold only letters, digits, spaces and `_ . : / = + - @`"
    return None


def tag_value_problem(value: str) -> str | None:
    """Why `value` cannot be an AWS tag's value, or None."""
    if len(value) > TAG_VALUE_MAX:
        return f"tag value {shown(value[:40])}... must be at most {TAG_VALUE_MAX} characters"
    if not _TAG_TEXT.fullmatch(value):
        return (
            f"tag value {shown(value)} may hold only letters, digits, spaces and `_ . : / = + - @`"
        )
    return None


def tags_problem(tags: Mapping[str, str]) -> str | None:
    """The first problem of a tag map, or None."""
    if len(tags) > TAGS_MAX:
        return f"{len(tags)} tags; AWS allows at most {TAGS_MAX} per resource"
    for key, value in tags.items():
        problem = tag_key_problem(key) or tag_value_problem(value)
        if problem:
            return problem
    return None


AwsTags = Annotated[dict[str, str], problem_validator(tags_problem)]
"""Tags on AWS resources: every key and value checked, `aws:` refused."""
