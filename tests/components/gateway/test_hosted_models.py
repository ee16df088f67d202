"""Hosted models through the real LiteLLM proxy: a request reaches the provider's API with
the key from its Secret, and a failing private model falls back to a hosted one.

Stand-ins on loopback take the providers' place (an OpenAI-compatible API, and
Anthropic's Messages API); no request leaves the machine. The proxy gets each key the
way the Deployment gives it: in the variable `render_env` reads from the key's Secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from components.gateway.args import GatewayArgs
from components.gateway.hosted import HostedBackend, credential_env
from components.gateway.manifests import render_env
from components.shared.secret_refs import SecretKeyRef

from .proxy_process import Proxy, backend, content, run_proxy
from .standin import Backend

OPENAI_KEY = "sk-test-openai-provider-key"
ANTHROPIC_KEY = "sk-ant-test-provider-key"


def hosted_models(stand_ins: dict[str, Backend]) -> tuple[HostedBackend, ...]:
    return (
        HostedBackend(
            served_name="gpt-4o-mini",
            provider="openaiCompatible",
            model="gpt-4o-mini",
            api_base=stand_ins["openai"].api_base,
            credential_secret=SecretKeyRef(name="openai-api-key", key="api-key"),
        ),
        HostedBackend(
            served_name="claude-haiku",
            provider="anthropic",
            model="claude-haiku-4-5",
            # LiteLLM posts to `<api_base>/v1/messages`.
            api_base=stand_ins["anthropic"].api_base.removesuffix("/v1"),
            credential_secret=SecretKeyRef(name="anthropic-api-key", key="api-key"),
        ),
    )


@pytest.fixture(scope="module")
def proxy(litellm_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    stand_ins = {
        "private": Backend("private", fail=True).start(),
        "openai": Backend("openai").start(),
        "anthropic": Backend("anthropic", anthropic=True).start(),
    }
    hosted = hosted_models(stand_ins)
    args = GatewayArgs(
        namespace="llm",
        replicas=1,
        retries=0,
        timeout_seconds=30,
        backends=(backend("mistral-7b", stand_ins["private"], fallbacks=("gpt-4o-mini",)),),
        hosted=hosted,
    )
    # The Deployment reads each key from its Secret into the variable the config names.
    env_from_secrets = {
        item["name"]: item["valueFrom"]["secretKeyRef"]["name"]
        for item in render_env("gw", args)
        if "valueFrom" in item
    }
    assert env_from_secrets[credential_env(hosted[0])] == "openai-api-key"
    assert env_from_secrets[credential_env(hosted[1])] == "anthropic-api-key"
    env = {credential_env(hosted[0]): OPENAI_KEY, credential_env(hosted[1]): ANTHROPIC_KEY}
    try:
        with run_proxy(
            litellm_executable, args, tmp_path_factory.mktemp("hosted"), stand_ins, env
        ) as running:
            yield running
    finally:
        for stand_in in stand_ins.values():
            stand_in.stop()


def test_a_hosted_openai_compatible_model_gets_its_key(proxy: Proxy) -> None:
    before = len(proxy.backends["openai"].hits)
    status, body = proxy.chat("gpt-4o-mini")
    assert (status, content(body)) == (200, "answered by openai")
    stand_in = proxy.backends["openai"]
    assert stand_in.hits[before:] == ["/v1/chat/completions"]
    assert stand_in.headers[-1]["authorization"] == f"Bearer {OPENAI_KEY}"


def test_a_hosted_anthropic_model_gets_its_key(proxy: Proxy) -> None:
    status, body = proxy.chat("claude-haiku")
    assert (status, content(body)) == (200, "answered by anthropic")
    stand_in = proxy.backends["anthropic"]
    assert stand_in.hits == ["/v1/messages"]
    assert stand_in.headers[-1]["x-api-key"] == ANTHROPIC_KEY
    # The gateway's master key never reaches a provider.
    assert all("sk-test-master-key" not in str(h) for h in stand_in.headers)


def test_a_failing_private_model_falls_back_to_the_hosted_one(proxy: Proxy) -> None:
    before = len(proxy.backends["openai"].hits)
    status, body = proxy.chat("mistral-7b")
    assert (status, content(body)) == (200, "answered by openai")
    assert len(proxy.backends["private"].hits) >= 1
    assert len(proxy.backends["openai"].hits) == before + 1
    assert proxy.backends["openai"].headers[-1]["authorization"] == f"Bearer {OPENAI_KEY}"
