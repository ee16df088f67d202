"""Two real LiteLLM proxies, as two replicas of one gateway, share their limits in a real
Redis-protocol server over TLS; without it each lets the whole limit through.

Both proxies run the config Shipyard renders for `GatewayArgs(replicas=2, cache=...)`,
with the environment the Deployment sets (`CACHE_HOST`, `CACHE_PASSWORD`); only the CA's
in-pod path is swapped for the test's file. Requests alternate between the two, as a
Service would spread them. LiteLLM counts route limits in a fixed window per UTC minute
(router_utils/pre_call_checks/model_rate_limit_check.py), so each burst starts early in a
minute and ends well before the next.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from pydantic import ValidationError

from components.gateway.args import GatewayArgs, Limits
from components.gateway.config import render_config_text, render_gateway_config
from components.gateway.coordination import (
    CACHE_CA_DIR,
    CACHE_HOST_ENV,
    CACHE_PASSWORD_ENV,
    CacheConnection,
    ResponseCache,
)
from components.shared.secret_refs import SecretKeyRef

from .proxy_process import Proxy, backend, run_proxy
from .redis_server import CacheServer, run_cache_server
from .standin import Backend

LIMIT_RPM = 4
# A burst takes a few seconds; start it only this early in a minute.
LATEST_START_SECOND = 40
REQUESTS = 2 * LIMIT_RPM + 2
DECLARED_TPM = 20
# The stand-in answers every request with 3 prompt and 4 completion tokens.
TOKENS_PER_REQUEST = 7


def cache_connection(port: int) -> CacheConnection:
    return CacheConnection(
        host="localhost",
        port=port,
        password_secret=SecretKeyRef(name="cache-auth", key="password"),
        ca_secret=SecretKeyRef(name="cache-tls", key="ca.crt"),
    )


def gateway_args(stand_in: Backend, cache: CacheConnection | None, replicas: int) -> GatewayArgs:
    """`alpha` with an rpm limit; with a cache also `beta`, with a token limit."""
    routes = [backend("alpha", stand_in, limits=Limits(rpm=LIMIT_RPM))]
    if cache is not None:
        routes.append(backend("beta", stand_in, limits=Limits(tpm=DECLARED_TPM)))
    return GatewayArgs(
        namespace="llm",
        replicas=replicas,
        retries=0,
        timeout_seconds=30,
        cache=cache,
        backends=tuple(routes),
    )


def wait_for_a_fresh_minute() -> None:
    second = time.gmtime().tm_sec
    if second > LATEST_START_SECOND:
        time.sleep(61 - second)


def alternate(proxies: list[Proxy], count: int, model: str = "alpha") -> list[int]:
    return [proxies[index % len(proxies)].chat(model)[0] for index in range(count)]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CacheServer]:
    with run_cache_server(tmp_path_factory.mktemp("cache")) as server:
        yield server


@pytest.fixture(scope="module")
def stand_in() -> Iterator[Backend]:
    server = Backend("a").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replicas(
    litellm_executable: Path,
    cache: CacheServer,
    stand_in: Backend,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[Proxy]]:
    """Two replicas of a gateway with the cache, as the Deployment would run them."""
    args = gateway_args(stand_in, cache_connection(cache.port), replicas=2)
    with ExitStack() as stack:
        yield two_replicas(
            stack, litellm_executable, args, tmp_path_factory.mktemp("shared"), stand_in, cache
        )


def two_replicas(
    stack: ExitStack,
    executable: Path,
    args: GatewayArgs,
    directory: Path,
    stand_in: Backend,
    cache: CacheServer | None,
) -> list[Proxy]:
    env = {}
    paths = {}
    if cache is not None:
        env = {CACHE_HOST_ENV: "localhost", CACHE_PASSWORD_ENV: cache.password}
        paths = {CACHE_CA_DIR: str(cache.certificates)}
    return [
        stack.enter_context(
            run_proxy(executable, args, directory / f"replica-{i}", {"a": stand_in}, env, paths)
        )
        for i in range(2)
    ]


def test_two_replicas_share_one_limit_through_the_cache(
    replicas: list[Proxy], cache: CacheServer, stand_in: Backend
) -> None:
    before = len(stand_in.hits)
    wait_for_a_fresh_minute()
    statuses = alternate(replicas, REQUESTS)
    assert statuses == [200] * LIMIT_RPM + [429] * (REQUESTS - LIMIT_RPM)
    assert len(stand_in.hits) - before == LIMIT_RPM
    # The count lives in the cache: LiteLLM's per-deployment rpm key for this minute.
    keys = cache.command("KEYS", "*:rpm:*")
    assert b"hosted_vllm/alpha:rpm:" in keys


def test_without_the_cache_each_replica_lets_the_whole_limit_through(
    litellm_executable: Path, tmp_path: Path
) -> None:
    stand_in = Backend("alone").start()
    # What two replicas would run without a cache: the same config.yaml in each, which
    # is why GatewayArgs refuses it.
    alone = gateway_args(stand_in, None, replicas=1)
    with pytest.raises(ValidationError, match=r"`rpm: 4` of `alpha` lets up to 8 rpm through"):
        gateway_args(stand_in, None, replicas=2)
    try:
        with ExitStack() as stack:
            proxies = two_replicas(stack, litellm_executable, alone, tmp_path, stand_in, None)
            wait_for_a_fresh_minute()
            statuses = alternate(proxies, 2 * LIMIT_RPM)
            over = [proxy.chat("alpha")[0] for proxy in proxies]
    finally:
        stand_in.stop()
    assert statuses == [200] * (2 * LIMIT_RPM)
    assert over == [429, 429]
    assert len(stand_in.hits) == 2 * LIMIT_RPM


def test_the_config_names_the_cache_but_holds_no_secret(
    cache: CacheServer, stand_in: Backend
) -> None:
    text = render_config_text(gateway_args(stand_in, cache_connection(cache.port), 2))
    assert cache.password not in text
    assert f'"redis_password": "os.environ/{CACHE_PASSWORD_ENV}"' in text
    assert f'"ssl_ca_certs": "{CACHE_CA_DIR}/ca.crt"' in text


def test_a_token_limit_is_split_over_the_replicas(
    replicas: list[Proxy], cache: CacheServer, stand_in: Backend
) -> None:
    """LiteLLM 1.83.14 checks a route's tokens against each process's own count even with
    the cache, so the rendered config gives each replica half: together they pass no more
    than the declared limit plus the one request each may start under it."""
    args = gateway_args(stand_in, cache_connection(cache.port), replicas=2)
    [_, route] = render_gateway_config(args)["model_list"]
    assert route["litellm_params"]["tpm"] == DECLARED_TPM // 2
    wait_for_a_fresh_minute()
    statuses = alternate(replicas, 10, model="beta")
    # Each replica admits requests while its own count is under 10: at 0 and 7 tokens.
    assert statuses == [200] * 4 + [429] * 6
    admitted = statuses.count(200) * TOKENS_PER_REQUEST
    assert admitted <= DECLARED_TPM + 2 * TOKENS_PER_REQUEST


def test_an_answer_cached_by_one_replica_is_served_by_the_other(
    litellm_executable: Path, cache: CacheServer, tmp_path: Path
) -> None:
    stand_in = Backend("cached").start()
    args = GatewayArgs(
        namespace="llm",
        replicas=2,
        cache=cache_connection(cache.port),
        response_cache=ResponseCache(ttl_seconds=60),
        backends=(backend("gamma", stand_in),),
    )
    try:
        with ExitStack() as stack:
            first, second = two_replicas(stack, litellm_executable, args, tmp_path, stand_in, cache)
            answers = [first.chat("gamma"), second.chat("gamma")]
    finally:
        stand_in.stop()
    assert [status for status, _ in answers] == [200, 200]
    # The second replica answered from the cache: the model server saw one request.
    assert len(stand_in.hits) == 1
    assert answers[0][1]["choices"] == answers[1][1]["choices"]
