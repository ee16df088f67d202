"""`shipyard schema [--check]`: write the schema, or fail when the file is stale."""

from __future__ import annotations

from pathlib import Path

from shipyard.schema import render_schema


def test_check_passes_on_the_committed_schema(invoke) -> None:
    result = invoke(["schema", "--check"])
    assert result.exit_code == 0
    assert result.stdout == "blueprints/schema.json is up to date\n"


def test_check_fails_on_a_stale_file(invoke, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(render_schema().replace('"title": "Platform"', '"title": "Old"'))
    result = invoke(["schema", "--check", "--path", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path} is stale; run `shipyard schema` and commit the result\n"
    )
    assert "Traceback" not in result.output
    # --check never writes.
    assert '"title": "Old"' in path.read_text()


def test_check_fails_on_a_missing_file(invoke, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    result = invoke(["schema", "--check", "--path", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path} is stale; run `shipyard schema` and commit the result\n"
    )
    assert not path.exists()


def test_check_passes_on_a_fresh_file(invoke, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(render_schema())
    result = invoke(["schema", "--check", "--path", str(path)])
    assert result.exit_code == 0
    assert result.stdout == f"{path} is up to date\n"


def test_write_then_up_to_date(invoke, tmp_path: Path) -> None:
    path = tmp_path / "nested" / "schema.json"
    first = invoke(["schema", "--path", str(path)])
    assert first.exit_code == 0
    assert first.stdout == f"wrote {path}\n"
    assert path.read_text() == render_schema()
    second = invoke(["schema", "--path", str(path)])
    assert second.exit_code == 0
    assert second.stdout == f"{path} is up to date\n"


def test_write_replaces_a_stale_file(invoke, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text("{}\n")
    result = invoke(["schema", "--path", str(path)])
    assert result.exit_code == 0
    assert result.stdout == f"wrote {path}\n"
    assert path.read_text() == render_schema()
