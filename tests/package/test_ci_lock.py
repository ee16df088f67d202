"""requirements/ci.lock, the hashed lock CI installs from (`make venv-ci`; security review,
issue 22, Low 5): it pins every dependency of the dev extra and the build requirements,
each with hashes, at versions pyproject.toml allows; and CI installs only from it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.gitops.workflow_files import workflows

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "ci.lock"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)")


def locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes), from pip-compile's format (continuations with `\\`)."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
            entries[canonicalize_name(match["name"])] = (match["version"], hashes)
    return entries


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
    ]
    names += project["build-system"]["requires"]
    return [Requirement(name) for name in names]


def test_every_entry_is_pinned_with_hashes() -> None:
    entries = locked()
    assert len(entries) > 50  # the dev extra pulls in Pulumi, Ray, pytest, ...
    assert [name for name, (_, hashes) in entries.items() if not hashes] == []


def test_every_declared_dependency_is_locked_at_an_allowed_version() -> None:
    entries = locked()
    problems = []
    for requirement in declared():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        if name not in entries:
            problems.append(f"{requirement} is not in the lock; run `make lock`")
        elif entries[name][0] not in requirement.specifier:
            problems.append(f"{requirement} but the lock has {entries[name][0]}; run `make lock`")
    assert problems == []


def test_ci_installs_only_from_the_lock() -> None:
    installs = [
        (name, line.strip())
        for name, workflow in workflows().items()
        for job in workflow["jobs"].values()
        for step in job.get("steps") or []
        for line in str(step.get("run", "")).splitlines()
        if re.search(r"\bmake venv\b(?!-)|pip install", line)
    ]
    assert installs == []
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nvenv-ci:", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes --no-deps -r $(LOCK)" in recipe
    assert "--no-deps --no-build-isolation -e ." in recipe
