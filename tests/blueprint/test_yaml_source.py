"""`parse_yaml`: plain data plus the position of every key, and hostile input refused."""

from __future__ import annotations

import pytest

from shipyard.blueprint.errors import Problem
from shipyard.blueprint.yaml_source import MAX_DEPTH, Positions, SourceError, parse_yaml

DOCUMENT = b"""\
a:
  b: [1, 2]
  c:
    - x: 2020-01-01
      y: ~
"""


def test_data_is_plain_python() -> None:
    data, _ = parse_yaml(DOCUMENT)
    # Timestamps become strings: no blueprint field wants a datetime.
    assert data == {"a": {"b": [1, 2], "c": [{"x": "2020-01-01", "y": None}]}}
    assert type(data["a"]) is dict
    assert type(data["a"]["b"]) is list


def test_positions_of_keys_and_items_are_one_based() -> None:
    _, positions = parse_yaml(DOCUMENT)
    assert positions.at == {
        ("a",): (1, 1),
        ("a", "b"): (2, 3),
        ("a", "b", 0): (2, 7),
        ("a", "b", 1): (2, 10),
        ("a", "c"): (3, 3),
        ("a", "c", 0): (4, 7),
        ("a", "c", 0, "x"): (4, 7),
        ("a", "c", 0, "y"): (5, 7),
    }


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    _, positions = parse_yaml(DOCUMENT)
    assert positions.locate(("a", "c", 0, "missing")) == (4, 7)
    assert positions.locate(("a", "c", 3)) == (3, 3)
    assert positions.locate(("elsewhere",)) == (1, 1)
    assert Positions().locate(()) == (1, 1)


def test_block_nesting_deeper_than_the_limit_is_refused() -> None:
    text = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 2))
    with pytest.raises(SourceError, match=r"^nesting deeper than 64 levels$") as raised:
        parse_yaml(text.encode())
    problem = raised.value.problem
    assert problem.path == tuple(f"k{level}" for level in range(MAX_DEPTH + 1))
    # The position of the deepest key reached.
    assert (problem.line, problem.column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_flow_nesting_that_would_exhaust_the_stack_is_refused() -> None:
    # 500 levels overflow the parser's own recursion before the walker counts them.
    raw = ("a: " + "[" * 500 + "]" * 500 + "\n").encode()
    with pytest.raises(SourceError) as raised:
        parse_yaml(raw)
    assert raised.value.problem == Problem((), "nesting deeper than 64 levels", 1, 1)


def test_nesting_at_the_limit_is_accepted() -> None:
    # The root mapping is depth 0, `a` holds depth 1, and so on.
    raw = ("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n").encode()
    data, _ = parse_yaml(raw)
    value = data["a"]
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == []


def test_problem_renders_with_and_without_a_field() -> None:
    assert Problem(("spec", "models", 0, "name"), "bad", 14, 7).render("f.yaml") == (
        "f.yaml:14:7: spec.models[0].name: bad"
    )
    assert Problem((), "bad").render("f.yaml") == "f.yaml:1:1: bad"


def test_merge_keys_are_expanded_and_placed_at_the_merging_mapping() -> None:
    data, positions = parse_yaml(b"base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n")
    assert data == {"base": {"x": 1}, "m": {"x": 1, "y": 2}}
    # `x` came in through the merge: it has no line of its own, so it stands at `m`.
    assert positions.at[("m", "x")] == (2, 1)
    assert positions.at[("m", "y")] == (4, 3)


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        (b"a:\n  b: !foo [1]\n", "the YAML tag `!foo` is not allowed in a blueprint", (2, 3)),
        (b"a: !bar x\n", "the YAML tag `!bar` is not allowed in a blueprint", (1, 1)),
        (
            b"a: !!python/object:os.system [1]\n",
            "the YAML tag `!!python/object:os.system` is not allowed in a blueprint",
            (1, 1),
        ),
    ],
)
def test_unknown_tags_are_refused_with_their_position(
    text: bytes, message: str, where: tuple[int, int]
) -> None:
    with pytest.raises(SourceError, match=message) as raised:
        parse_yaml(text)
    assert (raised.value.problem.line, raised.value.problem.column) == where


def test_core_tags_are_plain_values() -> None:
    data, _ = parse_yaml(b"a: !!str 5\nb: !!int 3\n")
    assert data == {"a": "5", "b": 3}
