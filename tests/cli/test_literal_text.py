"""The CLI prints a user's text literally: no `:emoji:` codes, no rich markup (issue 16)."""

from __future__ import annotations

from pathlib import Path

from .conftest import Invoke


def _with_key(dev_blueprint: Path, write_blueprint, key: str) -> Path:
    text = dev_blueprint.read_text().replace("      replicas: 1\n", f"      {key}: 1\n", 1)
    assert key in text
    return write_blueprint(text, "literal.yaml")


def test_an_emoji_code_in_a_key_is_printed_as_written(
    invoke: Invoke, dev_blueprint: Path, write_blueprint
) -> None:
    path = _with_key(dev_blueprint, write_blueprint, '":100:"')
    result = invoke(["validate", str(path)])
    assert result.exit_code == 1
    assert "unknown field `:100:`" in result.stderr
    assert "\N{HUNDRED POINTS SYMBOL}" not in result.stderr


def test_markup_in_a_key_is_printed_as_written(
    invoke: Invoke, dev_blueprint: Path, write_blueprint
) -> None:
    path = _with_key(dev_blueprint, write_blueprint, '"[bold red]x[/]"')
    result = invoke(["validate", str(path)])
    assert result.exit_code == 1
    assert "unknown field `[bold red]x[/]`" in result.stderr


def test_an_emoji_code_in_an_aborts_message_is_literal(
    invoke: Invoke, dev_blueprint: Path, write_blueprint
) -> None:
    path = _with_key(dev_blueprint, write_blueprint, '":thumbs_up:"')
    result = invoke(["render", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert ":thumbs_up:" in result.stderr
    assert "\N{THUMBS UP SIGN}" not in result.stderr
