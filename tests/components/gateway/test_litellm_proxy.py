"""The config Shipyard generates, served by the real LiteLLM proxy on loopback.

Stand-in OpenAI-compatible servers (tests/components/gateway/standin.py) take the place of
vLLM: each names itself in its answer and counts its hits. Nothing of LiteLLM
is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from components.gateway.args import GatewayArgs, Limits

from .proxy_process import Proxy, backend, content, run_proxy
from .standin import Backend

RATE_LIMIT_RPM = 2


@pytest.fixture(scope="module")
def proxy(litellm_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    stand_ins = {name: Backend(name).start() for name in ("a", "b", "c", "down")}
    stand_ins["down"].fail = True
    args = GatewayArgs(
        namespace="llm",
        # One proxy process: it counts its limits alone (tests/components/gateway/
        # test_shared_limits.py runs two against a shared cache).
        replicas=1,
        retries=0,
        timeout_seconds=30,
        backends=(
            backend("alpha", stand_ins["a"], aliases=("default",)),
            backend("beta", stand_ins["b"]),
            backend("gamma", stand_ins["c"], limits=Limits(rpm=RATE_LIMIT_RPM)),
            backend("omega", stand_ins["down"], fallbacks=("beta",)),
        ),
    )
    directory = tmp_path_factory.mktemp("litellm")
    try:
        with run_proxy(litellm_executable, args, directory, stand_ins) as running:
            yield running
    finally:
        for stand_in in stand_ins.values():
            stand_in.stop()


def test_each_model_reaches_its_own_backend(proxy: Proxy) -> None:
    status, body = proxy.chat("alpha")
    assert (status, content(body)) == (200, "answered by a")
    status, body = proxy.chat("beta")
    assert (status, content(body)) == (200, "answered by b")
    assert proxy.backends["a"].hits == ["/v1/chat/completions"]
    assert proxy.backends["b"].hits == ["/v1/chat/completions"]


def test_an_alias_reaches_its_model(proxy: Proxy) -> None:
    before = len(proxy.backends["a"].hits)
    status, body = proxy.chat("default")
    assert (status, content(body)) == (200, "answered by a")
    assert len(proxy.backends["a"].hits) == before + 1


def test_a_request_without_a_key_is_rejected(proxy: Proxy) -> None:
    hits = {name: len(b.hits) for name, b in proxy.backends.items()}
    status, _ = proxy.chat("alpha", key=None)
    assert status == 401
    # Not the master key: without a database LiteLLM cannot look the key up
    # as a virtual key, and refuses it with 400 rather than 401.
    status, body = proxy.chat("alpha", key="sk-wrong")
    assert (status, body["error"]["type"]) == (400, "no_db_connection")
    assert {name: len(b.hits) for name, b in proxy.backends.items()} == hits


def test_exceeding_the_model_rate_limit_returns_429(proxy: Proxy) -> None:
    statuses = [proxy.chat("gamma")[0] for _ in range(RATE_LIMIT_RPM + 2)]
    assert statuses[:RATE_LIMIT_RPM] == [200] * RATE_LIMIT_RPM
    assert statuses[RATE_LIMIT_RPM:] == [429, 429]
    assert len(proxy.backends["c"].hits) == RATE_LIMIT_RPM


def test_a_failing_backend_falls_back(proxy: Proxy) -> None:
    before = len(proxy.backends["b"].hits)
    status, body = proxy.chat("omega")
    assert (status, content(body)) == (200, "answered by b")
    assert len(proxy.backends["down"].hits) >= 1
    assert len(proxy.backends["b"].hits) == before + 1
