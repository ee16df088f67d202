"""`VllmService`: one model served by vLLM's OpenAI-compatible server.

Usable on its own from a hand-written Pulumi program:

    from components.shared.scheduling import PoolScheduling
    from components.vllm import VllmService, VllmServiceArgs

    VllmService("llama-8b", VllmServiceArgs(
        namespace="llm",
        model="meta-llama/Llama-3.1-8B-Instruct",
        served_model_name="llama-8b",
        scheduling=PoolScheduling(pool="gpu", node_selector={"pool": "gpu"}, gpus_per_node=1),
    ))
"""

from __future__ import annotations

import pulumi

from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem
from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import Autoscaling, LoraAdapter, ModelCache, VllmServiceArgs
from components.vllm.manifests import (
    render_cache_claim,
    render_deployment,
    render_network_policy,
    render_pod_disruption_budget,
    render_scaled_object,
    render_service,
    service_url,
)
from components.vllm.staging import (
    render_script_config_map,
    render_staging_job,
    render_weights_claim,
)

__all__ = [
    "Autoscaling",
    "LoraAdapter",
    "ModelCache",
    "SecretKeyRef",
    "VllmService",
    "VllmServiceArgs",
]

TYPE_TOKEN = "shipyard:serving:VllmService"


class VllmService(pulumi.ComponentResource):
    """A Deployment, Service, PDB and NetworkPolicy (plus optional cache PVC and
    KEDA ScaledObject) serving one model; with `weights`, a staging Job (its script
    ConfigMap, and a volume for `volume` weights) that the Deployment waits for."""

    service_name: pulumi.Output[str]
    """Name of the ClusterIP Service in front of the model servers."""
    url: pulumi.Output[str]
    """In-cluster base URL of the OpenAI-compatible API, ending in `/v1`."""
    served_model_name: pulumi.Output[str]
    """The name clients put in the request's `model` field."""

    def __init__(
        self,
        name: str,
        args: VllmServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        require_component_name("VllmService", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        claim = render_cache_claim(name, args)
        if claim is not None:
            # No depends_on from the Deployment: a claim bound on first consumer
            # stays Pending until a pod uses it, and Kubernetes orders them itself.
            create_object(name, claim, child)
        staged = self._stage_weights(name, args, child)
        create_object(
            name,
            render_deployment(name, args),
            pulumi.ResourceOptions.merge(
                child,
                # KEDA owns the replica count once autoscaling is on; with staged
                # weights the servers start once the Job has staged them.
                pulumi.ResourceOptions(
                    ignore_changes=["spec.replicas"] if args.autoscaling else None,
                    depends_on=staged,
                ),
            ),
        )
        service = create_object(name, render_service(name, args), child)
        create_object(name, render_pod_disruption_budget(name, args), child)
        create_object(name, render_network_policy(name, args), child)
        scaled_object = render_scaled_object(name, args)
        if scaled_object is not None:
            create_object(name, scaled_object, child)

        # Resolves only once the Service exists, so consumers wait for it.
        self.service_name = service.id.apply(lambda _: name)
        self.url = pulumi.Output.from_input(service_url(name, args.namespace))
        self.served_model_name = pulumi.Output.from_input(args.served_model_name)
        self.register_outputs(
            {
                "service_name": self.service_name,
                "url": self.url,
                "served_model_name": self.served_model_name,
            }
        )

    def _stage_weights(
        self, name: str, args: VllmServiceArgs, child: pulumi.ResourceOptions
    ) -> list[pulumi.Resource]:
        """The staging Job (and its script and volume); the Deployment waits for it.
        Pulumi waits for a Job to complete, up to its deadline."""
        weights = args.weights
        if weights is None:
            return []
        script = create_object(
            f"{name}-weights-script", render_script_config_map(name, args.namespace), child
        )
        waits: list[pulumi.Resource] = [script]
        claim = render_weights_claim(name, args.namespace, weights)
        if claim is not None:
            waits.append(create_object(f"{name}-weights", claim, child))
        token = (
            {
                "name": "HF_TOKEN",
                "valueFrom": {
                    "secretKeyRef": {
                        "name": args.hf_token_secret.name,
                        "key": args.hf_token_secret.key,
                    }
                },
            }
            if args.hf_token_secret is not None
            else None
        )
        job = create_object(
            f"{name}-weights",
            render_staging_job(name, args.namespace, args.model, weights, args.image, token),
            pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    depends_on=waits,
                    custom_timeouts=pulumi.CustomTimeouts(
                        create=f"{weights.deadline_seconds}s",
                        update=f"{weights.deadline_seconds}s",
                    ),
                ),
            ),
        )
        return [job]
