"""`shipyard plan`'s words for apps: added, removed, image tags, and access gained and lost
through `uses:`, on the test blueprint and on every example."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from shipyard.gitops.blueprint_summary import summarize
from shipyard.sections.apps.summary import image_change
from tests.blueprint.located import load_text
from tests.sections.apps.base import BASE, FILE

load = partial(load_text, FILE)
EXAMPLES = Path(__file__).resolve().parents[3] / "blueprints" / "examples"


def test_image_bucket_and_topic_changes_in_plain_words(tmp_path: Path) -> None:
    head = (
        BASE.replace("worker:1.4.2", "worker:1.5.0")
        .replace("{name: raw-logs, access: read}", "{name: raw-logs, access: readWrite}")
        .replace("          consume: [results]\n", "")
        .replace("      replicas: 2\n", "      replicas: 3\n")
    )
    assert summarize(load(tmp_path, BASE), load(tmp_path, head)) == [
        "app `backend`: replicas 2 -> 3",
        "app `backend` gains `readWrite` on bucket `raw-logs`",
        "app `backend` loses `consume` on topic `results`",
        "app `backend` loses `read` on bucket `raw-logs`",
        "app `worker`: image `1.4.2` -> `1.5.0`",
    ]


def test_apps_added_and_removed(tmp_path: Path) -> None:
    head = BASE.replace("  - name: worker\n", "  - name: workers\n")
    assert summarize(load(tmp_path, BASE), load(tmp_path, head)) == [
        "app `workers` added (`registry.example.com/acme/worker:1.4.2`, deployment, 0-4 "
        "replicas, uses app, events)",
        "app `worker` removed",
    ]


def test_image_changes_name_the_tags_or_the_whole_reference() -> None:
    assert image_change("r.example.com/a/api:1.4.2", "r.example.com/a/api:1.5.0") == (
        "`1.4.2` -> `1.5.0`"
    )
    assert image_change("r.example.com/a/api:1.4.2", "r.example.com/b/api:1.4.2") == (
        "`r.example.com/a/api:1.4.2` -> `r.example.com/b/api:1.4.2`"
    )


# One access change per example, and the phrase `shipyard plan` must print for it.
EXAMPLE_CHANGES = {
    "agiflow": (
        "          produce: [agent.tasks]\n          consume: [agent.results]\n",
        "          produce: [agent.tasks]\n",
        "app `backend` loses `consume` on topic `agent.results`",
    ),
    "portkey": (
        "            - {name: acme-portkey-raw-logs, access: readWrite}\n",
        "            - {name: acme-portkey-raw-logs, access: read}\n",
        "app `exports` gains `read` on bucket `acme-portkey-raw-logs`",
    ),
    "kubeagi": (
        "            - {name: models, access: read}\n",
        "            - {name: models, access: readWrite}\n",
        "app `arcadia-apiserver` gains `readWrite` on bucket `models`",
    ),
    "kamiwaza": (
        "        - {kind: app, app: catalog}\n",
        "",
        "app `api` loses access to app `catalog` port `http`",
    ),
    "ai-deployment-platform": (
        "            - {name: model-artifacts, access: read}\n",
        "            - {name: model-artifacts, access: read}\n            - {name: mlflow}\n",
        "app `deployment-manager` gains `read` on bucket `mlflow`",
    ),
}


@pytest.mark.parametrize("name", sorted(EXAMPLE_CHANGES))
def test_every_example_gets_its_access_phrase(tmp_path: Path, name: str) -> None:
    old, new, phrase = EXAMPLE_CHANGES[name]
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    # The manifest files the examples name, relative to them.
    shutil.copytree(EXAMPLES / "manifests", tmp_path / "manifests")
    base = load(tmp_path, text)
    head = load(tmp_path, text.replace(old, new))
    assert phrase in summarize(base, head)
