"""The policy pack the reconciler enforces: the one installed with it, never the commit's.

A pack taken from the checkout is under the control of whoever writes the commit: deleting
`policies/PulumiPolicy.yaml`, or weakening a rule, would switch enforcement off for that
very commit. So the reconciler writes its own pack directory from the installed
`shipyard.policy` (the same rules as `policies/` and `shipyard validate --policies`), and
every apply and drift check runs with it, or with a directory the operator names. No apply
runs without a pack: a missing one fails it.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

PACK_NAME = "shipyard"
"""`shipyard.policy.pack.PACK_NAME`, not imported: that module loads `pulumi_policy`, which
the reconciler itself never needs."""
PACK_FILE = "PulumiPolicy.yaml"
INSTALLED_PACK_DIR = "policy-pack"
"""Where in the work directory the installed pack is written."""

_MAIN = '''"""Shipyard's policy pack, as installed with the reconciler (written by
`shipyard.gitops.policy_pack`; rewritten at every start)."""

from pulumi_policy import PolicyPack

from shipyard.policy.pack import PACK_NAME, build_policies

PolicyPack(name=PACK_NAME, policies=build_policies())
'''


class PolicyPackMissing(Exception):
    """A configured policy pack directory without a `PulumiPolicy.yaml`."""


def _version() -> str:
    try:
        return metadata.version("shipyard")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0.0.0"


def render_pack_file(python_prefix: Path, version: str) -> str:
    """`PulumiPolicy.yaml` of the installed pack: it runs in the reconciler's own
    environment (`python_prefix`), which holds `pulumi_policy` and `shipyard.policy`."""
    return (
        f"name: {PACK_NAME}\n"
        f"version: {version}\n"
        "description: Shipyard's policy pack as installed with the reconciler.\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        f"    virtualenv: {python_prefix}\n"
    )


def write_installed_pack(workdir: Path, python_prefix: Path = Path(sys.prefix)) -> Path:
    """Write the installed pack under `workdir` (replacing an older one); its directory."""
    pack = workdir / INSTALLED_PACK_DIR
    pack.mkdir(parents=True, exist_ok=True)
    (pack / "__main__.py").write_text(_MAIN, encoding="utf-8")
    (pack / PACK_FILE).write_text(render_pack_file(python_prefix, _version()), encoding="utf-8")
    return pack


def checked_pack(directory: Path) -> Path:
    """`directory` if it holds a policy pack; raises `PolicyPackMissing` otherwise."""
    if not (directory / PACK_FILE).is_file():
        raise PolicyPackMissing(f"{directory} is not a policy pack: it has no {PACK_FILE}")
    return directory
