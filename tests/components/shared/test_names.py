"""Kubernetes name and image rules shared by every component."""

from __future__ import annotations

import pytest

from components.shared.names import dns1123_problem, image_problem, service_name_problem


@pytest.mark.parametrize("name", ["a", "qwen-small", "a1", "1a", "x" * 63])
def test_valid_dns_1123_labels(name: str) -> None:
    assert dns1123_problem(name) is None


@pytest.mark.parametrize("name", ["", "-a", "a-", "A", "a_b", "a.b", "ä"])
def test_invalid_dns_1123_labels(name: str) -> None:
    assert dns1123_problem(name) == (
        f"{name!r} is not a DNS-1123 label: use lowercase letters, digits and '-', "
        "starting and ending with a letter or digit"
    )


def test_dns_1123_label_length() -> None:
    assert dns1123_problem("x" * 64) == "must be at most 63 characters, got 64"


@pytest.mark.parametrize(
    "image",
    [
        "vllm/vllm-openai:v0.8.5",
        "registry.local:5000/vllm/vllm-openai:v0.8.5",
        "vllm/vllm-openai@sha256:" + "0" * 64,
        "vllm/vllm-openai:latest@sha256:" + "0" * 64,
    ],
)
def test_pinned_images(image: str) -> None:
    assert image_problem(image) is None


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        (
            "vllm/vllm-openai:latest",
            "'vllm/vllm-openai:latest' uses `latest`; pin a version tag or digest",
        ),
        (
            "vllm/vllm-openai",
            "'vllm/vllm-openai' has no tag; pin a version tag or digest, "
            "never the implicit `latest`",
        ),
        (
            "localhost:5000/vllm",
            "'localhost:5000/vllm' has no tag; pin a version tag or digest, "
            "never the implicit `latest`",
        ),
    ],
)
def test_unpinned_images(image: str, problem: str) -> None:
    assert image_problem(image) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("qwen-small", None),
        ("7b-qwen", "'7b-qwen' names a Service, so it must start with a letter (DNS-1035 label)"),
        ("Qwen", "'Qwen' is not a DNS-1123 label"),
    ],
)
def test_service_names_must_start_with_a_letter(value: str, problem: str | None) -> None:
    found = service_name_problem(value)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)
