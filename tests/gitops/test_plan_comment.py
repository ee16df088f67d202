"""pr.yml's sticky plan comment, its github-script run by Node against recorded comment
lists: only the bot's own marked comment is updated. Security review, issue 22, Low 3: any
author's comment starting with the marker used to be overwritten."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.gitops.workflow_files import workflows

MARKER = "<!-- shipyard-plan -->"
BOT = {"login": "github-actions[bot]", "type": "Bot"}
# Runs the step's script as github-script does (an async function body), with a `github`
# client that records calls and a `require` that serves plan.md.
HARNESS = """
const [script, comments, plan] = [process.argv[2], JSON.parse(process.argv[3]), process.argv[4]];
const calls = [];
const github = {
  paginate: async () => comments,
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async (args) => calls.push(['update', args.comment_id]),
    createComment: async (args) => calls.push(['create', args.issue_number]),
  } },
};
const context = { repo: { owner: 'o', repo: 'r' }, payload: { pull_request: { number: 7 } } };
const require = (name) => name === 'fs' ? { readFileSync: () => plan } : undefined;
new Function('github', 'context', 'require', `return (async () => { ${script} })();`)(
  github, context, require,
).then(() => console.log(JSON.stringify(calls)));
"""


def script() -> str:
    plan = workflows()["pr.yml"]["jobs"]["plan"]
    step = next(s for s in plan["steps"] if s.get("name") == "post or update the plan comment")
    return str(step["with"]["script"])


def run(tmp_path: Path, comments: list[dict[str, Any]]) -> list[list[Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("the plan comment's script needs Node.js", pytrace=False)
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    result = subprocess.run(
        [node, str(harness), script(), json.dumps(comments), f"{MARKER}\nplan"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    calls: list[list[Any]] = json.loads(result.stdout)
    return calls


def test_a_marked_comment_by_someone_else_is_left_alone(tmp_path: Path) -> None:
    spoof = {"id": 1, "user": {"login": "mallory", "type": "User"}, "body": f"{MARKER}\nfake"}
    lookalike = {"id": 2, "user": {"login": "github-actions[bot]", "type": "User"}, "body": MARKER}
    assert run(tmp_path, [spoof, lookalike]) == [["create", 7]]


def test_the_bots_own_comment_is_updated(tmp_path: Path) -> None:
    spoof = {"id": 1, "user": {"login": "mallory", "type": "User"}, "body": MARKER}
    own = {"id": 2, "user": BOT, "body": f"{MARKER}\nold plan"}
    other = {"id": 3, "user": BOT, "body": "a different bot message"}
    assert run(tmp_path, [spoof, other, own]) == [["update", 2]]
