"""Apps bound to `spec.cache`: the ACL user each gets, what it is handed (env and files),
the NetworkPolicies on both sides, the checks at FILE:LINE:COL, the plan's phrases, and
ElastiCache's shared auth token."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.app.network import render_network_policy
from components.cache.network_policies import render_network_policies
from components.cache.users import CacheUser
from shipyard.sections.apps.args import app_service_args
from shipyard.sections.apps.summary import summarize_apps
from shipyard.sections.cache.args import valkey_cache_args
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "cache-apps.yaml"
at = partial(located_at, FILE)
problems = partial(load_problems, FILE)
load = partial(load_text, FILE)

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: local}
  namespace: acme
  cache:
    provider: valkey
    persistence: none
  apps:
    - name: backend
      image: registry.example.com/acme/backend:1.4.2
      uses:
        - kind: cache
    - name: reporter
      image: registry.example.com/acme/reporter:1.4.2
      uses:
        - kind: cache
          access: read
          keyPrefix: "backend:"
"""
BACKEND = {"shipyard.dev/app": "backend"}
REPORTER = {"shipyard.dev/app": "reporter"}
PROXY = {
    "app.kubernetes.io/name": "valkey",
    "app.kubernetes.io/instance": "cache",
    "app.kubernetes.io/component": "cache-proxy",
}


def _values(binding: object) -> dict[str, object]:
    return {
        v.key: v.value if v.value is not None else (v.secret.name, v.secret.key)
        for v in binding.values  # type: ignore[attr-defined]
    }


def test_each_bound_app_gets_a_user_of_its_own(tmp_path: Path) -> None:
    args = valkey_cache_args(load(tmp_path, BASE))
    assert args is not None
    assert args.users == (
        CacheUser(name="backend", key_prefix="backend:"),
        CacheUser(name="reporter", key_prefix="backend:", read_only=True),
    )


def test_the_app_is_handed_host_port_tls_its_user_and_the_ca(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    [binding] = app_service_args(platform, platform.spec.apps[0]).bindings
    assert (binding.name, binding.type, binding.provider) == ("cache", "redis", "valkey")
    assert _values(binding) == {
        "host": "cache.acme.svc",
        "port": "6379",
        "tls": "true",
        "username": "backend",
        "password": ("cache-backend-credentials", "password"),
        "uri": ("cache-backend-credentials", "uri"),
        "key-prefix": "backend:",
        "ca.crt": ("cache-tls", "ca.crt"),
    }
    assert binding.aliases == {"REDIS_URL": "uri"}
    ca = next(v for v in binding.values if v.key == "ca.crt")
    assert ca.file_only and ca.env == "CA"
    # Never the shared password.
    assert all(v.secret is None or v.secret.name != "cache-auth" for v in binding.values)


def test_network_policies_on_both_sides(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    backend = app_service_args(platform, platform.spec.apps[0])
    egress = render_network_policy("backend", backend)["spec"]["egress"]
    assert {
        "to": [{"podSelector": {"matchLabels": PROXY}}],
        "ports": [{"port": 6379, "protocol": "TCP"}],
    } in egress
    args = valkey_cache_args(platform)
    assert args is not None
    _, proxy = render_network_policies("cache", args)
    [rule] = proxy["spec"]["ingress"]
    assert rule["from"] == [
        {"podSelector": {"matchLabels": BACKEND}},
        {"podSelector": {"matchLabels": REPORTER}},
    ]
    assert rule["ports"] == [{"port": 6379, "protocol": "TCP"}]
    # An app that does not bind is not admitted.
    unbound = BASE.replace(
        "      uses:\n        - kind: cache\n    - name: reporter", "    - name: reporter"
    )
    args = valkey_cache_args(load(tmp_path, unbound))
    assert args is not None
    _, proxy = render_network_policies("cache", args)
    assert proxy["spec"]["ingress"][0]["from"] == [{"podSelector": {"matchLabels": REPORTER}}]


def test_a_binding_without_a_cache_fails_at_its_line(tmp_path: Path) -> None:
    text = BASE.replace("  cache:\n    provider: valkey\n    persistence: none\n", "")
    assert problems(tmp_path, text) == [
        f"{at(text, 'kind: cache', 0)}: spec.apps[0].uses[0].kind: app `backend` binds to "
        "`cache` but the blueprint has no `spec.cache`; declare it or remove the binding",
        f"{at(text, 'kind: cache', 1)}: spec.apps[1].uses[0].kind: app `reporter` binds to "
        "`cache` but the blueprint has no `spec.cache`; declare it or remove the binding",
    ]


def test_a_typo_in_the_kind_has_a_did_you_mean(tmp_path: Path) -> None:
    text = BASE.replace("        - kind: cache\n    - name", "        - kind: cach\n    - name")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'kind: cach')}: spec.apps[0].uses[0].kind: ")
    assert "(did you mean `cache`?)" in problem


def test_a_bad_key_prefix_is_refused(tmp_path: Path) -> None:
    text = BASE.replace('keyPrefix: "backend:"', 'keyPrefix: "back end*"')
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'keyPrefix')}: spec.apps[1].uses[0].keyPrefix: ")


def test_a_client_listed_for_a_bound_app_is_declared_twice(tmp_path: Path) -> None:
    text = BASE.replace(
        "    persistence: none\n",
        "    persistence: none\n    clients:\n      - podLabels: {shipyard.dev/app: backend}\n",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'podLabels: {shipyard.dev/app: backend}')}: spec.cache.clients[0]: app "
        "`backend` is admitted by its binding; remove this client, so it is declared once"
    ]


def test_elasticache_binds_with_the_shared_token(tmp_path: Path) -> None:
    text = (
        BASE.replace("{kind: local}", "{kind: eks, region: us-west-2}")
        .replace("    provider: valkey\n    persistence: none\n", "    provider: elasticache\n")
        .replace('          access: read\n          keyPrefix: "backend:"\n', "")
    )
    platform = load(tmp_path, text)
    [binding] = app_service_args(platform, platform.spec.apps[0]).bindings
    assert binding.provider == "elasticache"
    assert _values(binding) == {
        "host": ("cache-auth", "host"),
        "port": "6379",
        "tls": "true",
        "password": ("cache-auth", "password"),
    }
    assert binding.egress == ()
    assert [(rule.cidr, rule.ports) for rule in binding.external_egress] == [
        ("10.0.0.0/16", (6379,))
    ]


def test_elasticache_refuses_what_it_cannot_enforce(tmp_path: Path) -> None:
    text = BASE.replace("{kind: local}", "{kind: eks, region: us-west-2}").replace(
        "    provider: valkey\n    persistence: none\n", "    provider: elasticache\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'access: read')}: spec.apps[1].uses[0].access: ElastiCache binds with the "
        "shared auth token, which cannot be read-only; use `provider: valkey` for per-app "
        "access, or remove `access`",
        f"{at(text, 'keyPrefix')}: spec.apps[1].uses[0].keyPrefix: ElastiCache binds with the "
        "shared auth token, which no key prefix limits; use `provider: valkey` for per-app "
        "keys, or remove `keyPrefix`",
    ]


def test_plan_names_access_gained_lost_and_changed() -> None:
    def blueprint(*uses: dict[str, object]) -> dict[str, object]:
        return {"spec": {"apps": [{"name": "api", "image": "r/api:1", "uses": list(uses)}]}}

    none, rw = blueprint(), blueprint({"kind": "cache"})
    read = blueprint({"kind": "cache", "access": "read", "keyPrefix": "shared:"})
    assert summarize_apps(none, rw) == ["app `api` gains `readWrite` on the cache (its own keys)"]
    assert summarize_apps(rw, none) == ["app `api` loses `readWrite` on the cache (its own keys)"]
    assert summarize_apps(rw, read) == [
        "app `api` gains `read` on cache keys `shared:*`",
        "app `api` loses `readWrite` on the cache (its own keys)",
    ]
