"""The allow-listed environment of an apply's processes."""

from __future__ import annotations

from shipyard.gitops.child_env import child_environment

ENVIRON = {
    "PATH": "/usr/bin",
    "HOME": "/var/lib/shipyard",
    "LC_ALL": "C.UTF-8",
    "PULUMI_CONFIG_PASSPHRASE": "p",
    "PULUMI_BACKEND_URL": "s3://state",
    "AWS_ACCESS_KEY_ID": "AKIA",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks/token",
    "KUBERNETES_SERVICE_HOST": "10.96.0.1",
    "KUBECONFIG": "/etc/kube/config",
    "HTTPS_PROXY": "http://proxy:3128",
    "SHIPYARD_WEBHOOK_SECRET": "hook",
    "GIT_CONFIG_VALUE_0": "store --file=/etc/shipyard/git/.git-credentials",
    "GIT_SSH_COMMAND": "ssh -i /etc/shipyard/git/ssh-privatekey",
    "DIGITALOCEAN_TOKEN": "do",
    "POD_NAME": "reconciler-0",
}


def test_only_what_the_engine_needs_is_passed() -> None:
    assert sorted(child_environment(ENVIRON)) == [
        "AWS_ACCESS_KEY_ID",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "HOME",
        "HTTPS_PROXY",
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "LC_ALL",
        "PATH",
        "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE",
    ]


def test_more_names_can_be_passed_but_the_withheld_never() -> None:
    env = child_environment(
        ENVIRON,
        extra=("DIGITALOCEAN_TOKEN", "SHIPYARD_WEBHOOK_SECRET"),
        withheld={"SHIPYARD_WEBHOOK_SECRET", "AWS_ACCESS_KEY_ID"},
    )
    assert env["DIGITALOCEAN_TOKEN"] == "do"
    assert "SHIPYARD_WEBHOOK_SECRET" not in env
    assert "AWS_ACCESS_KEY_ID" not in env  # withheld wins over a prefix too
