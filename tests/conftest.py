"""Fixtures shared by the unit tests: the project root and blueprint files in tmp."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_BLUEPRINT = PROJECT_ROOT / "blueprints" / "dev.yaml"
PROD_BLUEPRINT = PROJECT_ROOT / "blueprints" / "prod.yaml"

WriteBlueprint = Callable[..., Path]


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture
def write_blueprint(tmp_path: Path) -> WriteBlueprint:
    """Write blueprint text (or raw bytes) to `tmp_path/<name>` and return its path."""

    def write(content: str | bytes, name: str = "blueprint.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def dev_blueprint() -> Path:
    return DEV_BLUEPRINT


@pytest.fixture
def prod_blueprint() -> Path:
    return PROD_BLUEPRINT
