"""docs/gitops.md's example diagram is what `shipyard plan` draws for the change it
describes, so the docs cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.graph.build import build_graph
from shipyard.graph.diff import mark_changes
from shipyard.graph.mermaid import to_mermaid
from tests.conftest import PROJECT_ROOT
from tests.graph.everything import replace_text

PORTKEY = PROJECT_ROOT / "blueprints" / "examples" / "portkey.yaml"


def test_the_gitops_docs_show_the_diagram_of_their_change(tmp_path: Path) -> None:
    text = PORTKEY.read_text()
    # `exports` reads the bucket instead of writing it and no longer reads ClickHouse
    text = replace_text(
        text,
        "{name: acme-portkey-raw-logs, access: readWrite}",
        "{name: acme-portkey-raw-logs, access: read}",
    )
    text = replace_text(text, "        - kind: analytics\n          readonly: true\n", "")
    # `frontend` gets a gateway key; `backend` goes from 2 to 3 replicas
    text = replace_text(
        text,
        "        - kind: app\n          app: backend\n",
        "        - kind: app\n          app: backend\n        - kind: gateway\n",
    )
    backend = text.index("    - name: backend\n")
    text = text[:backend] + replace_text(
        text[backend:], "      replicas: 2\n", "      replicas: 3\n"
    )
    head = tmp_path / "portkey.yaml"
    head.write_text(text)
    changes = mark_changes(build_graph(load_blueprint(PORTKEY)), build_graph(load_blueprint(head)))
    assert changes.summary() == "3 nodes modified, 1 edge added, 1 edge modified, 1 edge removed"
    docs = (PROJECT_ROOT / "docs" / "gitops.md").read_text()
    section = docs[docs.index("### The diagram in the comment") :]
    [block] = re.findall(r"^```mermaid\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)[:1]
    assert block == to_mermaid(changes.graph, changes, title=False)
