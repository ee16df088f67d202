"""`render_deny_ingress`: pods that serve nothing get a policy admitting nobody."""

from __future__ import annotations

from components.shared.network_policies import render_deny_ingress
from tests.components.network_policy_eval import Pod, admits


def test_the_pods_are_selected_and_nobody_is_admitted() -> None:
    job_pods = {"app.kubernetes.io/instance": "minio", "app.kubernetes.io/component": "setup"}
    policy = render_deny_ingress("minio-setup", "llm", {"team": "x"}, job_pods)
    assert policy["metadata"] == {
        "name": "minio-setup",
        "namespace": "llm",
        "labels": {"team": "x"},
    }
    assert policy["spec"] == {
        "podSelector": {"matchLabels": job_pods},
        "policyTypes": ["Ingress"],
        "ingress": [],
    }
    target = Pod("llm", {**job_pods, "batch.kubernetes.io/job-name": "minio-setup"})
    assert not admits([policy], Pod("llm", job_pods), target, 9000)
    assert not admits([policy], Pod("monitoring", {}), target, 8080)
    assert admits([policy], Pod("llm", {}), Pod("llm", {"app": "other"}), 80)
