"""The render cache: hits, misses, what invalidates a key, and entries that must not be
trusted (truncated, edited, copied from another key, of the wrong shape)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

import shipyard
from shipyard.gitops import render_cache
from shipyard.gitops.render_cache import CACHE_FORMAT, RenderCache, RenderKey, program_digest
from shipyard.render import RenderedResource, render_blueprint

BLUEPRINT = "blueprints/dev.yaml"


@pytest.fixture(scope="module")
def dev_render() -> list[RenderedResource]:
    root = Path(__file__).resolve().parents[2]
    return render_blueprint(root / BLUEPRINT, root, "dev")


@pytest.fixture
def program(tmp_path: Path) -> Path:
    """A project root and one package of its own, to edit."""
    root = Path(__file__).resolve().parents[2]
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(root / "stacks" / "__main__.py", project / "stacks" / "__main__.py")
    shutil.copy(root / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["pulumi"]\n')
    (project / "pkg").mkdir()
    (project / "pkg" / "module.py").write_text("VALUE = 1\n")
    return project


def digest(project: Path) -> str:
    return program_digest(project, packages=(project / "pkg",))


def key(blueprint: bytes = b"spec: {}\n", stack: str = "dev", program: str = "p") -> RenderKey:
    return RenderKey(program, BLUEPRINT, blueprint, stack)


def entry_path(cache: RenderCache, wanted: RenderKey) -> Path:
    return cache.directory / wanted.digest[:2] / f"{wanted.digest}.json"


def test_a_stored_render_comes_back_equal(tmp_path: Path, dev_render) -> None:
    cache = RenderCache(tmp_path / "cache")
    assert cache.get(key()) is None
    assert cache.put(key(), dev_render)
    assert cache.get(key()) == dev_render
    assert (cache.hits, cache.misses) == (1, 1)


def test_every_field_comes_back(tmp_path: Path) -> None:
    resource = RenderedResource(
        "urn:a", "t", "a", "urn:p", {"k": [1, "v"]}, True, {"k": ("urn:b",)}, ("urn:b",),
        "urn:prov::id", ("spec",), "a chart offline",
    )  # fmt: skip
    cache = RenderCache(tmp_path)
    cache.put(key(), [resource])
    assert cache.get(key()) == [resource]


def test_numbers_keep_their_type(tmp_path: Path) -> None:
    # The wire gives doubles (`3.0`); `manifest()` turns them back into integers, so the
    # cache must give back exactly the float or int it was given.
    resource = RenderedResource("urn:a", "t", "a", None, {"replicas": 3.0, "port": 80})
    cache = RenderCache(tmp_path)
    cache.put(key(), [resource])
    (found,) = cache.get(key()) or []
    assert found.inputs == {"replicas": 3.0, "port": 80}
    assert type(found.inputs["replicas"]) is float and type(found.inputs["port"]) is int


def test_a_value_json_cannot_carry_is_not_stored(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    assert not cache.put(key(), [RenderedResource("urn:a", "t", "a", None, {"x": float("nan")})])
    assert not cache.put(key(), [RenderedResource("urn:a", "t", "a", None, {"x": object()})])
    assert cache.get(key()) is None
    assert list(tmp_path.rglob("*.json")) == []


def test_the_key_changes_with_the_blueprint_and_the_stack() -> None:
    digests = {
        key().digest,
        key(blueprint=b"spec: {x: 1}\n").digest,
        key(stack="prod").digest,
        key(program="q").digest,
        RenderKey("p", "blueprints/other.yaml", b"spec: {}\n", "dev").digest,
    }
    assert len(digests) == 5


def test_the_key_holds_the_shipyard_and_python_versions(monkeypatch) -> None:
    before = key().digest
    monkeypatch.setattr(shipyard, "__version__", "9.9.9")
    assert key().digest != before
    monkeypatch.undo()
    monkeypatch.setattr(sys, "version", sys.version + " (patched)")
    assert key().digest != before


@pytest.mark.parametrize(
    "path", ["stacks/__main__.py", "Pulumi.yaml", "pyproject.toml", "pkg/module.py"]
)
def test_a_change_to_any_program_file_changes_the_digest(program: Path, path: str) -> None:
    before = digest(program)
    assert digest(program) == before
    with (program / path).open("a") as handle:
        handle.write("\n# edited\n")
    assert digest(program) != before


def test_a_new_program_file_changes_the_digest(program: Path) -> None:
    before = digest(program)
    (program / "pkg" / "new.py").write_text("")
    assert digest(program) != before
    (program / "pkg" / "new.py").unlink()
    (program / "stacks" / "helpers.py").write_text("")
    assert digest(program) != before


def test_bytecode_caches_do_not_change_the_digest(program: Path) -> None:
    before = digest(program)
    (program / "pkg" / "__pycache__").mkdir()
    (program / "pkg" / "__pycache__" / "module.cpython-311.pyc").write_bytes(b"\0")
    assert digest(program) == before


def test_another_installed_dependency_version_changes_the_digest(program: Path, monkeypatch):
    site = program / "site"
    (site / "pulumi-3.259.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(site)])
    before = digest(program)
    assert render_cache.installed_distributions() == ["pulumi-3.259.0.dist-info"]
    (site / "pulumi-3.259.0.dist-info").rename(site / "pulumi-3.260.0.dist-info")
    assert digest(program) != before


def test_the_installed_distributions_are_those_imported_here() -> None:
    names = render_cache.installed_distributions()
    assert any(name.startswith("pulumi-3.") for name in names)
    assert any(name.startswith("pulumi_kubernetes-") for name in names)


def test_the_default_digest_covers_the_imported_packages(program: Path) -> None:
    names = {path.name for path in render_cache.PROGRAM_PACKAGES}
    assert names == {"shipyard", "components"}
    assert program_digest(program) != program_digest(program, packages=())


def test_an_edited_payload_is_a_miss(tmp_path: Path, dev_render) -> None:
    cache = RenderCache(tmp_path)
    cache.put(key(), dev_render)
    path = entry_path(cache, key())
    entry = json.loads(path.read_text())
    entry["payload"] = entry["payload"].replace("qwen-small", "evil-image", 1)
    path.write_text(json.dumps(entry))
    assert cache.get(key()) is None


def test_an_entry_copied_from_another_key_is_a_miss(tmp_path: Path, dev_render) -> None:
    cache = RenderCache(tmp_path)
    other = key(stack="prod")
    cache.put(other, dev_render)
    entry_path(cache, key()).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(entry_path(cache, other), entry_path(cache, key()))
    assert cache.get(other) == dev_render
    assert cache.get(key()) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '{"format": 0}',
        "not json at all",
    ],
)
def test_a_truncated_or_foreign_entry_is_a_miss(tmp_path: Path, text: str) -> None:
    cache = RenderCache(tmp_path)
    path = entry_path(cache, key())
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert cache.get(key()) is None


@pytest.mark.parametrize(
    "rows",
    [
        {"not": "a list"},
        [{"urn": "u"}],
        [{"urn": 1, "type": "t", "name": "n", "parent": None, "inputs": {}, "protect": False,
          "property_dependencies": {}, "dependencies": [], "provider": None,
          "ignore_changes": [], "note": None}],
        [{"urn": "u", "type": "t", "name": "n", "parent": None, "inputs": [], "protect": False,
          "property_dependencies": {}, "dependencies": [], "provider": None,
          "ignore_changes": [], "note": None}],
        [{"urn": "u", "type": "t", "name": "n", "parent": None, "inputs": {}, "protect": False,
          "property_dependencies": {}, "dependencies": [1], "provider": None,
          "ignore_changes": [], "note": None}],
    ],
)  # fmt: skip
def test_an_entry_of_the_wrong_shape_is_a_miss_even_with_a_valid_digest(tmp_path, rows):
    cache = RenderCache(tmp_path)
    payload = json.dumps(rows)
    entry = {
        "format": CACHE_FORMAT,
        "key": key().digest,
        "sha256": hashlib.sha256(payload.encode()).hexdigest(),
        "payload": payload,
    }
    path = entry_path(cache, key())
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(entry))
    assert cache.get(key()) is None


def test_a_bad_entry_is_overwritten_by_the_next_render(tmp_path: Path, dev_render) -> None:
    cache = RenderCache(tmp_path)
    path = entry_path(cache, key())
    path.parent.mkdir(parents=True)
    path.write_text("{")
    assert cache.get(key()) is None
    assert cache.put(key(), dev_render)
    assert cache.get(key()) == dev_render
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_an_unwritable_directory_is_not_an_error(tmp_path: Path, dev_render) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert not RenderCache(blocker / "cache").put(key(), dev_render)
