"""The renders of one `shipyard plan`: looked up in the render cache, the rest run at once.

A render is CPU-bound Python (the GIL rules out threads), so the misses run in forked
processes, one per core and no more than there are misses: with two cores the base and
head of a stack render side by side. A fork inherits the imported program, so a worker
starts rendering at once; where `fork` is missing, renders run one after the other.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from shipyard.blueprint import Platform
from shipyard.gitops.render_cache import RenderCache, RenderKey, program_digest
from shipyard.gitops.revisions import LoadedBlueprint
from shipyard.render import RenderedResource, render_blueprint

JOBS_ENV = "SHIPYARD_PLAN_JOBS"
Render = Callable[..., list[RenderedResource]]
Result = list[RenderedResource] | str
"""A render, or the `rendering failed: ...` line that stands for it in the plan."""


@dataclass(frozen=True)
class RenderJob:
    blueprint_file: Path
    """The blueprint as written out of git for this plan."""
    blueprint_path: str
    """Its path in the repository."""
    stack: str
    platform: Platform | None
    """The blueprint as loaded for the plan (the program then does not load it again)."""

    @classmethod
    def of(cls, loaded: LoadedBlueprint, blueprint_path: str, stack: str) -> RenderJob:
        assert loaded.blueprint_file is not None and loaded.platform is not None
        return cls(loaded.blueprint_file, blueprint_path, stack, loaded.platform)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int | None, misses: int) -> int:
    """`jobs` (else `$SHIPYARD_PLAN_JOBS`, else one per core), at most one per miss."""
    if jobs is None:
        given = os.environ.get(JOBS_ENV, "")
        jobs = int(given) if given.isdigit() and int(given) > 0 else available_cores()
    return max(1, min(jobs, misses))


def _render(job: RenderJob, project_root: Path, render: Render) -> Result:
    try:
        return render(job.blueprint_file, project_root, job.stack, job.platform)
    except Exception as error:  # a program bug must still reach the PR comment
        return f"rendering failed: {type(error).__name__}: {error}"


def _fresh_event_loop() -> None:
    """A worker's first step. A fork copies the parent's event loop, whose executor
    believes it still has the parent's worker threads (a fork copies none): the first RPC
    sent to it would wait forever. A new loop starts its own threads."""
    asyncio.set_event_loop(asyncio.new_event_loop())


def _render_default(job: RenderJob, project_root: Path) -> Result:
    """A worker's task (module level, so a process pool can name it)."""
    return _render(job, project_root, render_blueprint)


def render_all(
    jobs: list[RenderJob],
    project_root: Path,
    render: Render = render_blueprint,
    cache: RenderCache | None = None,
    processes: int | None = None,
) -> list[Result]:
    """The render of every job, in order: from `cache` when it has it, else rendered
    (and stored). Only `render_blueprint` runs in worker processes; another `render` (a
    test's) runs here, one job after the other."""
    keys: list[RenderKey | None] = [None] * len(jobs)
    results: list[Result | None] = [None] * len(jobs)
    if cache is not None:
        program = program_digest(project_root)
        for index, job in enumerate(jobs):
            wanted = RenderKey(
                program, job.blueprint_path, job.blueprint_file.read_bytes(), job.stack
            )
            keys[index] = wanted
            results[index] = cache.get(wanted)
    misses = [index for index, result in enumerate(results) if result is None]
    workers = worker_count(processes, len(misses))
    parallel = (
        workers > 1
        and render is render_blueprint
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if parallel:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_fresh_event_loop
        ) as pool:
            futures = {i: pool.submit(_render_default, jobs[i], project_root) for i in misses}
            for index, future in futures.items():
                try:
                    results[index] = future.result()
                except Exception as error:  # a worker that died, or an unpicklable result
                    results[index] = f"rendering failed: {type(error).__name__}: {error}"
    else:
        for index in misses:
            results[index] = _render(jobs[index], project_root, render)
    for index in misses:
        key, result = keys[index], results[index]
        if cache is not None and key is not None and isinstance(result, list):
            cache.put(key, result)
    return [result if result is not None else "rendering failed: no result" for result in results]
