"""`spec.models` names: they name Services, so they must be DNS-1035 labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import BlueprintError, load_blueprint

ROOT = Path(__file__).resolve().parents[3]


def test_a_model_whose_name_starts_with_a_digit_fails_at_its_line(tmp_path: Path) -> None:
    text = (ROOT / "blueprints" / "dev.yaml").read_text()
    blueprint = tmp_path / "dev.yaml"
    blueprint.write_text(text.replace("- name: qwen-small", "- name: 7b-qwen"))
    line = text.splitlines().index("    - name: qwen-small") + 1
    with pytest.raises(BlueprintError) as raised:
        load_blueprint(blueprint, name="dev.yaml")
    assert str(raised.value) == (
        f"dev.yaml:{line}:7: spec.models[0].name: '7b-qwen' names a Service, "
        "so it must start with a letter (DNS-1035 label)"
    )
