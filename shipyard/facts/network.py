"""Network bandwidth of EC2 instance types, and the figures that turn it into the time a
model's weights take to arrive, for the cold-start estimate.

Sources, read 2026-12:

- `NETWORK_GBPS`: the "Network Bandwidth (Gbps)" column of the AWS EC2 instance type
  pages (aws.amazon.com/ec2/instance-types/g5, /g6, /g6e, /p4, /p5, /m7i, /c7i, /r7i,
  /m6i). Sizes listed "up to" a figure get it only in bursts (the EC2 User Guide, "Amazon
  EC2 instance network bandwidth": 5 to 60 minutes from network I/O credits); the
  estimate uses the listed figure, so it is a lower bound on the time.
- `INTERNET_*`: the same EC2 User Guide page: traffic through an internet gateway is
  limited to 5 Gbps for instances with fewer than 32 vCPUs, and to 50% of the instance's
  bandwidth (at least 5 Gbps) for larger ones. A download from Hugging Face goes there.
- `STREAMER_*`: the Run:ai Model Streamer's published benchmark
  (run-ai/runai-model-streamer docs/src/benchmarks.md): Llama-3-8B (bfloat16, one
  safetensors file) streamed from S3 to the GPUs of a g5.12xlarge (40 Gbps) at 3.51 GiB/s.
"""

from __future__ import annotations

from shipyard.facts.instances import lookup_instance

GIB_BITS = 8 * 1024**3

NETWORK_GBPS: dict[str, float] = {
    "g5.xlarge": 10, "g5.2xlarge": 10, "g5.4xlarge": 25, "g5.8xlarge": 25,
    "g5.12xlarge": 40, "g5.16xlarge": 25, "g5.24xlarge": 50, "g5.48xlarge": 100,
    "g6.xlarge": 10, "g6.2xlarge": 10, "g6.4xlarge": 25, "g6.8xlarge": 25,
    "g6.12xlarge": 40, "g6.16xlarge": 25, "g6.24xlarge": 50, "g6.48xlarge": 100,
    "g6e.xlarge": 20, "g6e.2xlarge": 20, "g6e.4xlarge": 20, "g6e.8xlarge": 25,
    "g6e.12xlarge": 100, "g6e.16xlarge": 35, "g6e.24xlarge": 200, "g6e.48xlarge": 400,
    # P4d and P5 list 400 and 3200 Gbps summed over 4 and 32 network cards of 100 Gbps
    # (for EFA); a pod's traffic leaves through one card.
    "p4d.24xlarge": 100, "p5.48xlarge": 100, "p5e.48xlarge": 100,
    "m7i.large": 12.5, "m7i.xlarge": 12.5, "m7i.2xlarge": 12.5, "m7i.4xlarge": 12.5,
    "m7i.8xlarge": 12.5,
    "c7i.large": 12.5, "c7i.xlarge": 12.5, "c7i.2xlarge": 12.5, "c7i.4xlarge": 12.5,
    "r7i.large": 12.5, "r7i.xlarge": 12.5, "r7i.2xlarge": 12.5, "r7i.4xlarge": 12.5,
    "m6i.large": 12.5, "m6i.xlarge": 12.5, "m6i.2xlarge": 12.5, "m6i.4xlarge": 12.5,
}  # fmt: skip

INTERNET_SMALL_INSTANCE_GBPS = 5.0
INTERNET_LARGE_INSTANCE_VCPUS = 32
INTERNET_LARGE_INSTANCE_SHARE = 0.5

STREAMER_MEASURED_GIB_PER_S = 3.51
STREAMER_MEASURED_ON_GBPS = 40.0
STREAMER_EFFICIENCY = STREAMER_MEASURED_GIB_PER_S * GIB_BITS / 1e9 / STREAMER_MEASURED_ON_GBPS
"""The share of a node's bandwidth the streamer reached from S3 (about 0.75)."""


def network_gbps(instance_type: str) -> float | None:
    return NETWORK_GBPS.get(instance_type)


def internet_gbps(instance_type: str) -> float | None:
    """What an instance may pull through an internet gateway (a Hugging Face download)."""
    node = network_gbps(instance_type)
    facts = lookup_instance(instance_type)
    if node is None or facts is None:
        return None
    if facts.vcpu < INTERNET_LARGE_INSTANCE_VCPUS:
        return min(node, INTERNET_SMALL_INSTANCE_GBPS)
    return max(INTERNET_SMALL_INSTANCE_GBPS, INTERNET_LARGE_INSTANCE_SHARE * node)
