"""The renders of a plan: from the cache when it has them, the rest in worker processes,
with the same result as one after the other."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.gitops.plan_renders import JOBS_ENV, RenderJob, render_all, worker_count
from shipyard.gitops.render_cache import RenderCache
from shipyard.render import RenderedResource

ROOT = Path(__file__).resolve().parents[2]


def job(name: str) -> RenderJob:
    path = ROOT / "blueprints" / f"{name}.yaml"
    return RenderJob(path, f"blueprints/{name}.yaml", name, load_blueprint(path))


def normalised(resources: list[RenderedResource]) -> list[tuple[object, ...]]:
    """Sorted by URN, dependencies as sets: the SDK gathers them in sets, so their order
    follows the hash seed, not the program."""
    return sorted(
        (
            r.urn,
            r.type,
            r.parent,
            repr(r.inputs),
            r.protect,
            sorted((k, sorted(v)) for k, v in r.property_dependencies.items()),
            sorted(r.dependencies),
            r.provider,
            r.ignore_changes,
        )
        for r in resources
    )


def test_concurrent_renders_equal_sequential_ones() -> None:
    jobs = [job("dev"), job("prod")]
    sequential = render_all(jobs, ROOT, processes=1)
    # Forked after renders in this process: the workers must not inherit its event loop
    # (whose executor threads a fork does not copy): they would wait forever.
    concurrent = render_all(jobs, ROOT, processes=2)
    assert all(isinstance(result, list) for result in concurrent + sequential)
    assert [normalised(r) for r in concurrent] == [normalised(r) for r in sequential]  # type: ignore[arg-type]
    types = {r.type for r in concurrent[1]}  # type: ignore[union-attr]
    assert "aws:eks/cluster:Cluster" in types and "kubernetes:apps/v1:Deployment" in types


def test_a_second_plan_renders_nothing(tmp_path: Path) -> None:
    calls: list[str] = []

    def render(blueprint: Path, root: Path, stack: str, platform: object) -> list[RenderedResource]:
        calls.append(stack)
        return [RenderedResource(f"urn:{stack}", "t", stack, None, {"n": 1.0})]

    cache = RenderCache(tmp_path)
    jobs = [job("dev"), job("prod")]
    first = render_all(jobs, ROOT, render, cache)
    assert calls == ["dev", "prod"] and (cache.hits, cache.misses) == (0, 2)
    second = render_all(jobs, ROOT, render, cache)
    assert calls == ["dev", "prod"] and (cache.hits, cache.misses) == (2, 2)
    assert second == first


def test_a_changed_blueprint_renders_again(tmp_path: Path) -> None:
    calls: list[str] = []

    def render(blueprint: Path, root: Path, stack: str, platform: object) -> list[RenderedResource]:
        calls.append(blueprint.read_text().count("replicas: 2").__str__())
        return []

    cache = RenderCache(tmp_path / "cache")
    copy = tmp_path / "dev.yaml"
    text = (ROOT / "blueprints" / "dev.yaml").read_text()
    copy.write_text(text)
    dev = RenderJob(copy, "blueprints/dev.yaml", "dev", load_blueprint(copy))
    render_all([dev], ROOT, render, cache)
    render_all([dev], ROOT, render, cache)
    copy.write_text(text.replace("replicas: 1", "replicas: 2", 1))
    render_all([dev], ROOT, render, cache)
    assert calls == ["0", "1"]


def test_a_failing_render_is_reported_and_not_cached(tmp_path: Path) -> None:
    def render(*_: object) -> list[RenderedResource]:
        raise ValueError("the program broke")

    cache = RenderCache(tmp_path)
    assert render_all([job("dev")], ROOT, render, cache) == [
        "rendering failed: ValueError: the program broke"
    ]
    assert list(tmp_path.rglob("*.json")) == []


def test_a_failing_render_in_a_worker_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "gone.yaml"
    missing = RenderJob(
        broken, "blueprints/gone.yaml", "dev", load_blueprint(job("dev").blueprint_file)
    )
    # The program reads its own copy of the blueprint unless it is the one preloaded, and
    # a worker is given the platform of another file: the program finds nothing to read.
    object.__setattr__(missing, "platform", None)
    results = render_all([missing, job("dev")], ROOT, processes=2)
    assert isinstance(results[0], str) and results[0].startswith("rendering failed:")
    assert "gone.yaml" in results[0]
    assert isinstance(results[1], list) and results[1]


@pytest.mark.parametrize(
    ("jobs", "env", "misses", "expected"),
    [(None, None, 2, None), (4, None, 2, 2), (1, None, 2, 1), (None, "3", 8, 3), (None, "x", 0, 1)],
)
def test_worker_count(monkeypatch, jobs, env, misses, expected) -> None:
    monkeypatch.delenv(JOBS_ENV, raising=False)
    if env is not None:
        monkeypatch.setenv(JOBS_ENV, env)
    cores = len(os.sched_getaffinity(0))
    want = expected if expected is not None else max(1, min(cores, misses))
    assert worker_count(jobs, misses) == want


def test_the_cli_reads_the_same_environment_variables() -> None:
    from shipyard.cli import plan as cli_plan
    from shipyard.gitops import render_cache

    assert (cli_plan.CACHE_ENV, cli_plan.JOBS_ENV) == (render_cache.CACHE_ENV, JOBS_ENV)
