"""The real vLLM router (`vllm-router` 0.1.17) in front of stub servers on loopback.

Its own parser accepts the flags Shipyard renders; under the policy Shipyard picks for
`prefixAware`, requests that share a long prefix land on one replica, and under the one
for `roundRobin` they spread. The router is given the stubs' loopback URLs
(`--worker-urls`) instead of Kubernetes discovery, so nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from components.vllm_router.args import PrefillDecode
from components.vllm_router.manifests import render_router_args
from shipyard.sections.models.routing import ROUTER_POLICIES
from tests.components.vllm_router.stub_server import HOLD, HOLD_SECONDS, MODEL, StubServers
from tests.components.vllm_router.test_manifests import make_args

START_TIMEOUT_SECONDS = 60
REQUESTS_PER_PREFIX = 6
# Two system prompts of about 3 KB each: long shared prefixes, as a RAG or agent prompt has.
PREFIXES = {
    "support": "You are the support assistant of Acme. Policy: " + "refunds within 30 days. " * 120,
    "legal": "You review contracts for Acme's legal team. Rules: " + "flag every indemnity. " * 120,
}

PARSE = """
import json, sys
from vllm_router.launch_router import parse_router_args
args = parse_router_args(json.loads(sys.argv[1]))
args._validate_router_args()
print(json.dumps({"policy": args.policy, "selector": args.selector,
    "pd": args.vllm_pd_disaggregation, "prefill": args.prefill_selector,
    "decode": args.decode_selector, "discovery": args.service_discovery,
    "namespace": args.service_discovery_namespace, "port": args.service_discovery_port,
    "kv_connector": args.kv_connector}))
"""


def parsed(router_python: Path, flags: list[str]) -> dict[str, object]:
    result = subprocess.run(
        [str(router_python), "-c", PARSE, json.dumps(flags)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("strategy", sorted(ROUTER_POLICIES))
def test_the_routers_parser_accepts_every_rendered_policy(
    router_python: Path, strategy: str
) -> None:
    flags = render_router_args(make_args(policy=ROUTER_POLICIES[strategy]))
    assert parsed(router_python, flags) == {
        "policy": ROUTER_POLICIES[strategy],
        "selector": {"app.kubernetes.io/instance": "llama-70b", "app.kubernetes.io/name": "vllm"},
        "pd": False,
        "prefill": {},
        "decode": {},
        "discovery": True,
        "namespace": "llm",
        "port": 8000,
        "kv_connector": "nixl",
    }


def test_the_routers_parser_accepts_prefill_decode(router_python: Path) -> None:
    args = make_args(
        worker_selector={},
        prefill_decode=PrefillDecode(
            prefill_selector={"app.kubernetes.io/instance": "big-prefill"},
            decode_selector={"app.kubernetes.io/instance": "big-decode"},
        ),
    )
    result = parsed(router_python, render_router_args(args))
    assert result["pd"] is True
    assert result["prefill"] == {"app.kubernetes.io/instance": "big-prefill"}
    assert result["decode"] == {"app.kubernetes.io/instance": "big-decode"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def stubs() -> Iterator[StubServers]:
    servers = StubServers(2)
    yield servers
    servers.close()


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _run_router(router_python: Path, stubs: StubServers, policy: str) -> Iterator[str]:
    port = _free_port()
    command = [
        str(router_python.parent / "vllm-router"),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--policy", policy,
        "--worker-urls", *stubs.urls,
        "--prometheus-host", "127.0.0.1",
        "--prometheus-port", str(_free_port()),
        "--health-check-interval-secs", "5",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readiness", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"router did not get ready:\n{output[-3000:]}")
            time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/liveness", timeout=5) as response:
            assert response.status == 200
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _ask(base: str, prompt: str, turn: int) -> int:
    """One chat request with `prompt` as its system prompt; the replica that answered."""
    reply = _post(
        f"{base}/v1/chat/completions",
        {
            "model": MODEL,
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": f"Question {turn}: what now?"},
            ],
            "max_tokens": 8,
        },
    )
    return int(str(reply["id"]).rsplit("-", 1)[1])


def _send(base: str, stubs: StubServers) -> dict[str, set[int]]:
    """The replicas each prefix's requests landed on.

    Idle replicas tie, and the router breaks ties towards the same one, so the second
    prefix is first sent while that replica is busy with a held request: it lands on the
    other. Every later request finds both replicas idle again, so only the prefix cache
    can keep it off the tie-break's favourite."""
    stubs.reset()
    names = list(PREFIXES)
    landed: dict[str, set[int]] = {name: set() for name in names}
    landed[names[0]].add(_ask(base, PREFIXES[names[0]], 0))
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(_ask, base, f"{HOLD} " + "an unrelated long request " * 80, 0)
        time.sleep(HOLD_SECONDS / 3)
        landed[names[1]].add(_ask(base, PREFIXES[names[1]], 0))
        held.result(timeout=30)
    for turn in range(1, REQUESTS_PER_PREFIX):
        for name in names:
            landed[name].add(_ask(base, PREFIXES[name], turn))
    assert sum(stubs.served.values()) == REQUESTS_PER_PREFIX * len(PREFIXES) + 1
    return landed


def test_prefix_aware_keeps_a_shared_prefix_on_one_replica(
    router_python: Path, stubs: StubServers
) -> None:
    for base in _run_router(router_python, stubs, ROUTER_POLICIES["prefixAware"]):
        landed = _send(base, stubs)
    # Each prefix stays on the replica that first served it, and they are not the same.
    assert sorted(landed.values(), key=min) == [{0}, {1}], landed


def test_without_the_renderer_endpoints_prefix_aware_loses_the_prefix(
    router_python: Path,
) -> None:
    """Why `prefixAware` servers get `--enable-scale-out`: without it vLLM answers the
    renderer endpoints with 403, the router cannot tokenize, never matches a prefix, and
    sends each request to the least busy replica. The second prompt, first sent to the
    other replica while the favourite was busy, then follows the tie-break instead."""
    servers = StubServers(2, render_enabled=False)
    try:
        for base in _run_router(router_python, servers, ROUTER_POLICIES["prefixAware"]):
            landed = _send(base, servers)
    finally:
        servers.close()
    first, second = PREFIXES
    assert len(landed[first]) == 1, landed
    assert landed[second] == {0, 1}, landed


def test_round_robin_spreads_a_shared_prefix(router_python: Path, stubs: StubServers) -> None:
    for base in _run_router(router_python, stubs, ROUTER_POLICIES["roundRobin"]):
        stubs.reset()
        landed = {
            name: [_ask(base, prefix, turn) for turn in range(REQUESTS_PER_PREFIX)]
            for name, prefix in PREFIXES.items()
        }
    # In turn, whatever the prompt: each prefix's six requests, three on each replica.
    for replicas in landed.values():
        assert sorted(replicas) == [0, 0, 0, 1, 1, 1], landed
    assert stubs.served == {0: REQUESTS_PER_PREFIX, 1: REQUESTS_PER_PREFIX}
