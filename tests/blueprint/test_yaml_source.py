"""`parse_yaml`: plain data plus the position of every key, and hostile input refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import yaml_source
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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # YAML 1.2 core schema: the 1.1 booleans and sexagesimals stay strings.
        ("yes", "yes"),
        ("on", "on"),
        ("Off", "Off"),
        ("1:30", "1:30"),
        ("true", True),
        ("False", False),
        ("0o17", 15),
        ("017", 17),
        ("0x1f", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("-12", -12),
        ("1.5e3", 1500.0),
        (".inf", float("inf")),
        ("-.inf", float("-inf")),
        ("~", None),
        ("null", None),
        ("", None),
        ("2026-01-01", "2026-01-01"),
        ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00"),
        ("'0o17'", "0o17"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    data, _ = parse_yaml(f"k: {text}\n".encode())
    assert data == {"k": value}
    assert type(data["k"]) is type(value) or isinstance(data["k"], type(value))


def test_a_yaml_1_1_directive_selects_1_1_scalars() -> None:
    data, _ = parse_yaml(b"%YAML 1.1\n---\na: yes\nb: 017\nc: on\n")
    assert data == {"a": True, "b": 15, "c": True}


def test_not_a_number_is_a_float() -> None:
    data, _ = parse_yaml(b"k: .nan\n")
    assert data["k"] != data["k"]


def test_a_core_tag_on_a_collection_keeps_the_collection() -> None:
    data, positions = parse_yaml(b"a: !!str {b: 1}\n")
    assert data == {"a": {"b": 1}}
    assert positions.at[("a", "b")] == (1, 11)


def test_flow_nesting_within_the_parse_limit_names_its_path() -> None:
    raw = ("a: " + "[" * 100 + "]" * 100 + "\n").encode()
    with pytest.raises(SourceError, match=r"^nesting deeper than 64 levels$") as raised:
        parse_yaml(raw)
    assert raised.value.problem.path == ("a", *[0] * 64)
    # Past 248 open collections the input is refused before it is composed.
    raw = ("a: " + "[" * 248 + "]" * 248 + "\n").encode()
    with pytest.raises(SourceError) as raised:
        parse_yaml(raw)
    assert raised.value.problem == Problem((), "nesting deeper than 64 levels", 1, 1)


def test_anchors_aliases_and_comments_parse_as_before() -> None:
    raw = b"# top\na: &x [1, 2]  # trailing\nb: *x\nc: |\n  line\n"
    data, positions = parse_yaml(raw)
    assert data == {"a": [1, 2], "b": [1, 2], "c": "line\n"}
    # Items reached through an alias stand where the anchored items stand.
    assert positions.at[("b", 1)] == (2, 11)


def test_without_libyaml_the_same_data_and_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (Path(__file__).resolve().parents[2] / "blueprints" / "prod.yaml").read_bytes()
    fast_data, fast_positions = parse_yaml(raw)
    monkeypatch.setattr(yaml_source, "_C_PARSER", None)
    slow_data, slow_positions = parse_yaml(raw)
    assert slow_data == fast_data
    assert slow_positions == fast_positions
    assert len(fast_positions.at) > 300 and fast_data["spec"]["events"]["brokers"]["replicas"] == 3
