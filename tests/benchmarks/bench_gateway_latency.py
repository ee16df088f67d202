"""The gateway's added latency per request, with and without the shared cache (`make bench`).

The real LiteLLM proxy (the pinned release, in its cached virtualenv) runs the config
Shipyard renders in front of a stand-in model server on loopback. Three series of
sequential chat requests, interleaved: straight to the stand-in, through the proxy
alone, and through the proxy with the cache (a real Redis-protocol server over TLS), on a
route with an rpm limit, so every request is counted (in memory, or in the cache). The
added latency is the proxy's p50/p95 minus the stand-in's. Target: the cache adds under
5 ms at p50 to what the proxy adds alone.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from components.gateway.args import GatewayArgs, Limits  # noqa: E402
from components.gateway.coordination import (  # noqa: E402
    CACHE_CA_DIR,
    CACHE_HOST_ENV,
    CACHE_PASSWORD_ENV,
    CacheConnection,
)
from components.shared.secret_refs import SecretKeyRef  # noqa: E402
from tests.components.gateway.conftest import CACHE, LITELLM_REQUIREMENT, _install  # noqa: E402
from tests.components.gateway.proxy_process import MASTER_KEY, backend, run_proxy  # noqa: E402
from tests.components.gateway.redis_server import run_cache_server  # noqa: E402
from tests.components.gateway.standin import Backend  # noqa: E402

WARMUP = 30
REQUESTS = 300
TARGET_CACHE_P50_MS = 5.0
BODY = json.dumps({"model": "alpha", "messages": [{"role": "user", "content": "hi"}]}).encode()


def timed(url: str, key: str | None) -> float:
    request = urllib.request.Request(
        f"{url}/v1/chat/completions",
        data=BODY,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - start) * 1000


def interleaved(targets: dict[str, tuple[str, str | None]]) -> dict[str, list[float]]:
    """One request to each target in turn, so the machine's background load falls on
    every series alike."""
    for _ in range(WARMUP):
        for url, key in targets.values():
            timed(url, key)
    results: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(REQUESTS):
        for name, (url, key) in targets.items():
            results[name].append(timed(url, key))
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    version = LITELLM_REQUIREMENT.rsplit("==", 1)[1]
    executable = _install(CACHE / f"litellm-{version}")
    stand_in = Backend("a").start()
    results: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            directory = Path(tmp)
            cache = stack.enter_context(run_cache_server(directory / "cache"))
            route = backend("alpha", stand_in, limits=Limits(rpm=1_000_000))
            alone = GatewayArgs(namespace="llm", replicas=1, backends=(route,))
            shared = GatewayArgs(
                namespace="llm",
                replicas=2,
                backends=(route,),
                cache=CacheConnection(
                    host="localhost",
                    port=cache.port,
                    password_secret=SecretKeyRef(name="cache-auth", key="password"),
                    ca_secret=SecretKeyRef(name="cache-tls", key="ca.crt"),
                ),
            )
            env = {CACHE_HOST_ENV: "localhost", CACHE_PASSWORD_ENV: cache.password}
            without = stack.enter_context(
                run_proxy(executable, alone, directory / "alone", {"a": stand_in})
            )
            with_cache = stack.enter_context(
                run_proxy(
                    executable,
                    shared,
                    directory / "shared",
                    {"a": stand_in},
                    env,
                    {CACHE_CA_DIR: str(cache.certificates)},
                )
            )
            results = interleaved(
                {
                    "stand-in": (stand_in.api_base.removesuffix("/v1"), None),
                    "proxy": (without.url, MASTER_KEY),
                    "proxy + cache": (with_cache.url, MASTER_KEY),
                }
            )
    finally:
        stand_in.stop()
    base = {share: percentile(results["stand-in"], share) for share in (0.5, 0.95)}
    print(
        f"{'series':<16}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'added p50':>11}{'added p95':>11}"
    )
    for name, values in results.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(
            f"{name:<16}{p50:>11.2f}{p95:>11.2f}{statistics.mean(values):>11.2f}"
            f"{p50 - base[0.5]:>11.2f}{p95 - base[0.95]:>11.2f}"
        )
    cache_cost = percentile(results["proxy + cache"], 0.5) - percentile(results["proxy"], 0.5)
    verdict = "ok" if cache_cost <= TARGET_CACHE_P50_MS else "OVER TARGET"
    print(f"the cache adds {cache_cost:.2f} ms at p50 (target {TARGET_CACHE_P50_MS} ms): {verdict}")
    return 0 if cache_cost <= TARGET_CACHE_P50_MS else 1


if __name__ == "__main__":
    sys.exit(main())
