"""AWS tag rules: what AWS's tagging APIs accept and refuse."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.eks.args import EksClusterArgs
from components.shared.aws_values import tag_key_problem, tag_value_problem, tags_problem


@pytest.mark.parametrize("key", ["team", "cost-center", "Name", "kubernetes.io/cluster/x", "a b"])
def test_tag_keys_taken(key: str) -> None:
    assert tag_key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("aws:createdBy", "uses the prefix `aws:`, which AWS reserves"),
        ("AWS:team", "uses the prefix `aws:`"),
        ("", "must be 1 to 128 characters, got 0"),
        ("k" * 129, "must be 1 to 128 characters, got 129"),
        ("team\n", "may hold only letters"),
        ("team#1", "may hold only letters"),
    ],
)
def test_tag_keys_refused(key: str, message: str) -> None:
    assert message in (tag_key_problem(key) or "")


def test_tag_values() -> None:
    assert tag_value_problem("") is None
    assert tag_value_problem("platform@example.com") is None
    assert "at most 256" in (tag_value_problem("v" * 257) or "")
    assert "may hold only" in (tag_value_problem("a\tb") or "")


def test_at_most_fifty_tags() -> None:
    assert tags_problem({f"k{i}": "v" for i in range(50)}) is None
    too_many = {f"k{i}": "v" for i in range(51)}
    assert "51 tags; AWS allows at most 50" in (tags_problem(too_many) or "")


def test_component_args_refuse_a_reserved_tag() -> None:
    taken = EksClusterArgs(region="us-east-1", subnet_ids=("a", "b"), tags={"team": "ml"})
    assert taken.tags == {"team": "ml"}
    with pytest.raises(ValidationError, match="tags\n  Value error, tag key 'aws:x' uses"):
        EksClusterArgs(region="us-east-1", subnet_ids=("a", "b"), tags={"aws:x": "y"})
