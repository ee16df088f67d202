"""The environment an apply's processes get: an allow-list, never the reconciler's whole one.

The engine, its providers and the policy pack need the state backend and its secrets
passphrase, the cloud and cluster credentials, and the basics (`PATH`, `HOME`, locale,
proxies, CA bundles). They do not need the webhook secret or the git credentials, and a
provider or pack that logs its environment must not be able to show them. Anything else a
stack needs is named with `shipyard reconcile --pass-env` (or `SHIPYARD_PASS_ENV`, which may
itself be a key of the backend credentials Secret).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PASSED_NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "KUBECONFIG",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    }
)
PASSED_PREFIXES = (
    "PULUMI_",  # backend, access token, passphrase, PULUMI_HOME, engine settings
    "KUBERNETES_SERVICE_",  # the in-cluster API server address (with the mounted token)
    "AWS_",  # keys, region, profile, IRSA's role and token file
    "AZURE_",
    "ARM_",
    "GOOGLE_",
    "CLOUDSDK_",
    "LC_",
)


def child_environment(
    environ: Mapping[str, str],
    extra: Iterable[str] = (),
    withheld: Iterable[str] = (),
) -> dict[str, str]:
    """The allow-listed part of `environ` and the names in `extra`, without `withheld`
    whatever the lists say."""
    wanted = set(PASSED_NAMES) | set(extra)
    blocked = set(withheld)
    return {
        name: value
        for name, value in environ.items()
        if name not in blocked and (name in wanted or name.startswith(PASSED_PREFIXES))
    }
