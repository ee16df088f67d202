"""The Kubernetes value rules, checked against what the API server accepts and refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.shared.k8s_values import (
    annotations_problem,
    cpu_problem,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    env_var_name_problem,
    host_name_problem,
    label_key_problem,
    label_value_problem,
    memory_problem,
    port_name_problem,
    port_problem,
    shown,
    taint_effect_problem,
    taint_key_problem,
    taint_value_problem,
)


@pytest.mark.parametrize(
    "key",
    ["app", "app.kubernetes.io/name", "shipyard.dev/pool", "a", "A_b.c-d", "x/" + "a" * 63],
)
def test_label_keys_the_api_server_takes(key: str) -> None:
    assert label_key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("app\n", "not a valid label key"),
        ("/app", "prefix before '/' is empty"),
        ("shipyard.dev/", "name part is empty"),
        ("Shipyard.dev/pool", "the prefix of label key 'Shipyard.dev/pool'"),
        ("-app", "must be letters, digits"),
        ("a" * 64, "at most 63 characters, got 64"),
        ("a b", "not a valid label key"),
    ],
)
def test_label_keys_the_api_server_refuses(key: str, message: str) -> None:
    problem = label_key_problem(key)
    assert problem is not None
    assert message in problem


@pytest.mark.parametrize("value", ["", "gpu", "a.b_c-d", "1", "x" * 63])
def test_label_values_taken(value: str) -> None:
    assert label_value_problem(value) is None


@pytest.mark.parametrize("value", ["gpu\n", "gpu ", "-gpu", "x" * 64, "a/b"])
def test_label_values_refused(value: str) -> None:
    assert label_value_problem(value) is not None


def test_a_subdomain_is_checked_whole() -> None:
    assert dns1123_subdomain_problem("example.com") is None
    assert dns1123_subdomain_problem("example.com\n") is not None
    assert dns1123_subdomain_problem("a" * 254) == "must be at most 253 characters, got 254"


def test_taint_effects() -> None:
    assert taint_effect_problem("NoSchedule") is None
    assert taint_effect_problem("noschedule") == (
        "'noschedule' is not a taint effect; use one of NoSchedule, PreferNoSchedule, NoExecute"
    )


@pytest.mark.parametrize("name", ["HF_TOKEN", "_x", "a.b", "my-var", "A1"])
def test_env_var_names_taken(name: str) -> None:
    assert env_var_name_problem(name) is None


@pytest.mark.parametrize("name", ["1X", "A=B", "A B", "X\n", ""])
def test_env_var_names_refused(name: str) -> None:
    assert env_var_name_problem(name) is not None


@pytest.mark.parametrize("value", ["1", "0.5", ".5", "250m", "16"])
def test_cpu_amounts_taken(value: str) -> None:
    assert cpu_problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2 cores", "is not a CPU amount"),
        ("500M", "is not a CPU amount"),
        ("2\n", "is not a CPU amount"),
        ("0", "is no CPU at all"),
        ("1.5m", "is not a CPU amount"),
    ],
)
def test_cpu_amounts_refused(value: str, message: str) -> None:
    assert message in (cpu_problem(value) or "")


@pytest.mark.parametrize("value", ["512Mi", "16Gi", "1G", "1.5Gi", "2097152"])
def test_memory_amounts_taken(value: str) -> None:
    assert memory_problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("16GB", "is not an amount of memory"),
        ("16gi", "is not an amount of memory"),
        ("16Gi\n", "is not an amount of memory"),
        ("0Gi", "is no memory at all"),
        ("512", "did you mean `512Mi`?"),
    ],
)
def test_memory_amounts_refused(value: str, message: str) -> None:
    assert message in (memory_problem(value) or "")


def test_ports_and_port_names() -> None:
    assert port_problem(8000) is None
    assert port_problem(0) == "0 is not a port; use 1 to 65535"
    assert port_problem(65536) is not None
    assert port_name_problem("http") is None
    assert port_name_problem("http-metrics") is None
    assert port_name_problem("8080") == "port name '8080' must contain at least one letter"
    assert port_name_problem("a--b") is not None
    assert (
        port_name_problem("a" * 16) == "port name 'aaaaaaaaaaaaaaaa' must be at most 15 characters"
    )


def test_annotations_total_size() -> None:
    assert annotations_problem({"a": "x" * 1000}) is None
    assert "Kubernetes allows 262144" in (annotations_problem({"a": "x" * 262144}) or "")
    assert annotations_problem({"bad key": "x"}) is not None


def test_values_are_shown_escaped() -> None:
    assert shown("a\nb\x1b") == "'a\\nb\\x1b'"


@pytest.mark.parametrize("key", ["nvidia.com/gpu", "dedicated", "example.com/a_b.c"])
def test_taint_keys_taken(key: str) -> None:
    assert taint_key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("nvidia.com/gpu\n", "not a valid taint key"),
        ("NVIDIA.com/gpu", "the prefix of taint key"),
        ("gpu!", "not a valid taint key"),
    ],
)
def test_taint_keys_refused(key: str, message: str) -> None:
    assert message in (taint_key_problem(key) or "")


def test_taint_values_follow_label_values() -> None:
    assert taint_value_problem("present") is None
    assert taint_value_problem("") is None
    assert "not a valid taint value" in (taint_value_problem("a b") or "")
    assert "must be at most 63" in (taint_value_problem("x" * 64) or "")


@pytest.mark.parametrize("host", ["api.example.com", "*.example.com", "localhost", "a-1.b"])
def test_host_names_taken(host: str) -> None:
    assert host_name_problem(host) is None


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("https://api.example.com", "is a URL; give only the host name"),
        ("//api.example.com", "is a URL"),
        ("api.example.com:443", "has a path or a port"),
        ("api.example.com/v1", "has a path or a port"),
        ("10.0.0.1", "is an IP address"),
        ("API.example.com", "host 'API.example.com' is not a DNS-1123 subdomain"),
        ("api.example.com\n", "not a DNS-1123 subdomain"),
        ("*.*.example.com", "not a DNS-1123 subdomain"),
    ],
)
def test_host_names_refused(host: str, message: str) -> None:
    assert message in (host_name_problem(host) or "")


def test_a_namespace_is_a_label_not_a_subdomain() -> None:
    assert dns1123_label_problem("ingress-nginx") is None
    assert "not a DNS-1123 label" in (dns1123_label_problem("a.b") or "")
    assert "at most 63" in (dns1123_label_problem("a" * 64) or "")


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (cpu_problem, "500m\n"),
        (memory_problem, "16Gi\n"),
        (label_key_problem, "app\n"),
        (label_value_problem, "x\n"),
        (env_var_name_problem, "PATH\n"),
        (port_name_problem, "http\n"),
        (dns1123_subdomain_problem, "a.b\n"),
        (taint_key_problem, "a\n"),
        (host_name_problem, "a.example.com\n"),
    ],
)
def test_no_rule_takes_a_trailing_newline(check: Callable[[str], str | None], value: str) -> None:
    problem = check(value)
    assert problem is not None
    assert "\n" not in problem
