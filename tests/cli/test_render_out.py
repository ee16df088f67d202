"""`render --out DIR` leaves no stale file of an earlier render, and removes nothing else."""

from __future__ import annotations

from pathlib import Path

from shipyard.cli.render import RENDER_MARKER, remove_previous

from .conftest import Invoke


def test_a_second_render_removes_what_the_first_wrote(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "rules").mkdir(parents=True)
    (out / "deployment-llm-dev-gone.yaml").write_text("kind: Deployment\n")
    (out / "rules" / "gone.yaml").write_text("groups: []\n")
    (out / "graph.mmd").write_text("flowchart\n")  # not the render's: stays
    (out / RENDER_MARKER).write_text("deployment-llm-dev-gone.yaml\nrules/gone.yaml\n")
    result = invoke(["render", "blueprints/dev.yaml", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert not (out / "deployment-llm-dev-gone.yaml").exists()
    assert not (out / "rules").exists()
    assert (out / "graph.mmd").read_text() == "flowchart\n"
    listed = (out / RENDER_MARKER).read_text().splitlines()
    on_disk = sorted(
        str(path.relative_to(out))
        for path in out.rglob("*")
        if path.is_file() and path.name not in (RENDER_MARKER, "graph.mmd")
    )
    assert listed == on_disk
    assert any(line.startswith("deployment-") for line in listed)


def test_the_marker_cannot_reach_outside_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "keep.txt"
    outside.write_text("mine")
    (out / "a.yaml").write_text("x")
    (out / RENDER_MARKER).write_text("../keep.txt\na.yaml\n/etc/hostname\n\n")
    assert remove_previous(out) == [(out / "a.yaml").resolve()]
    assert outside.read_text() == "mine"
    assert not (out / RENDER_MARKER).exists()


def test_without_a_marker_nothing_is_removed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    assert remove_previous(tmp_path) == []
    assert (tmp_path / "a.yaml").exists()
