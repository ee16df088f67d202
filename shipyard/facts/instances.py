"""EC2 instance types: GPUs, CPU, memory, EFA support and on-demand price.

Sources, read 2026-11:

- Hardware (GPU model and count, memory per GPU, vCPU, RAM, EFA support): the
  AWS EC2 instance type pages (aws.amazon.com/ec2/instance-types/g5, /g6,
  /g6e, /p4, /p5, /m7i, /c7i, /r7i, /m6i) and the EC2 User Guide's
  "Supported instance types" list for EFA.
- Prices: the Amazon EC2 On-Demand pricing page (aws.amazon.com/ec2/pricing/
  on-demand), Linux, shared tenancy, region `us-east-1` (PRICE_REGION). The P4d
  and P5 figures are the list prices after AWS's June 2025 price reduction for
  P4 and P5 instances. p5e is sold through Capacity Blocks for ML and On-Demand
  Capacity Reservations, not at an on-demand list price, so it has none here.

Every entry carries its own source and date in `source`, so a figure that is
updated is updated with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipyard.facts.gpus import GPU_MEMORY_GIB

PRICE_REGION = "us-east-1"
"""The one region every `on_demand_usd_per_hour` is quoted in."""
SOURCE = "AWS EC2 instance type pages / on-demand pricing page, us-east-1, read 2026-11"
P_FAMILY_SOURCE = (
    "AWS EC2 P4/P5 instance pages / on-demand pricing page after the June 2025 P4/P5 price "
    "reduction, us-east-1, read 2026-11"
)
CAPACITY_BLOCKS_SOURCE = (
    "AWS EC2 P5 instance page (p5e via Capacity Blocks for ML, no on-demand list price), "
    "read 2026-11"
)


@dataclass(frozen=True)
class InstanceType:
    vcpu: int
    memory_gib: int
    on_demand_usd_per_hour: float | None
    """Linux on-demand price in PRICE_REGION; None when AWS lists none."""
    gpu_type: str | None = None
    """A key of `shipyard.facts.gpus.GPU_MEMORY_GIB`; None for CPU instances."""
    gpu_count: int = 0
    gpu_memory_gib: float | None = None
    efa: bool = False
    """Whether the type supports an Elastic Fabric Adapter."""
    source: str = SOURCE


def _gpu(
    vcpu: int,
    memory_gib: int,
    price: float | None,
    gpu_type: str,
    count: int,
    *,
    efa: bool = False,
    source: str = SOURCE,
) -> InstanceType:
    return InstanceType(
        vcpu, memory_gib, price, gpu_type, count, GPU_MEMORY_GIB[gpu_type], efa, source
    )


def _cpu(vcpu: int, memory_gib: int, price: float) -> InstanceType:
    return InstanceType(vcpu, memory_gib, price)


A10G, L4, L40S = "nvidia-a10g", "nvidia-l4", "nvidia-l40s"

INSTANCE_TYPES: dict[str, InstanceType] = {
    # G5: NVIDIA A10G, 24 GB per GPU.
    "g5.xlarge": _gpu(4, 16, 1.006, A10G, 1),
    "g5.2xlarge": _gpu(8, 32, 1.212, A10G, 1),
    "g5.4xlarge": _gpu(16, 64, 1.624, A10G, 1),
    "g5.8xlarge": _gpu(32, 128, 2.448, A10G, 1, efa=True),
    "g5.12xlarge": _gpu(48, 192, 5.672, A10G, 4, efa=True),
    "g5.16xlarge": _gpu(64, 256, 4.096, A10G, 1, efa=True),
    "g5.24xlarge": _gpu(96, 384, 8.144, A10G, 4, efa=True),
    "g5.48xlarge": _gpu(192, 768, 16.288, A10G, 8, efa=True),
    # G6: NVIDIA L4, 24 GB per GPU.
    "g6.xlarge": _gpu(4, 16, 0.8048, L4, 1),
    "g6.2xlarge": _gpu(8, 32, 0.9776, L4, 1),
    "g6.4xlarge": _gpu(16, 64, 1.3232, L4, 1),
    "g6.8xlarge": _gpu(32, 128, 2.0144, L4, 1, efa=True),
    "g6.12xlarge": _gpu(48, 192, 4.6016, L4, 4, efa=True),
    "g6.16xlarge": _gpu(64, 256, 3.3968, L4, 1, efa=True),
    "g6.24xlarge": _gpu(96, 384, 6.6752, L4, 4, efa=True),
    "g6.48xlarge": _gpu(192, 768, 13.3504, L4, 8, efa=True),
    # G6e: NVIDIA L40S, 48 GB per GPU.
    "g6e.xlarge": _gpu(4, 32, 1.861, L40S, 1),
    "g6e.2xlarge": _gpu(8, 64, 2.24208, L40S, 1),
    "g6e.4xlarge": _gpu(16, 128, 3.00424, L40S, 1),
    "g6e.8xlarge": _gpu(32, 256, 4.52856, L40S, 1, efa=True),
    "g6e.12xlarge": _gpu(48, 384, 10.49264, L40S, 4, efa=True),
    "g6e.16xlarge": _gpu(64, 512, 7.57719, L40S, 1, efa=True),
    "g6e.24xlarge": _gpu(96, 768, 15.06559, L40S, 4, efa=True),
    "g6e.48xlarge": _gpu(192, 1536, 30.13118, L40S, 8, efa=True),
    # P4d: 8 x NVIDIA A100 40 GB; P5: 8 x H100 80 GB; P5e: 8 x H200 141 GB.
    "p4d.24xlarge": _gpu(96, 1152, 21.96, "nvidia-a100-40gb", 8, efa=True, source=P_FAMILY_SOURCE),
    "p5.48xlarge": _gpu(192, 2048, 55.04, "nvidia-h100-80gb", 8, efa=True, source=P_FAMILY_SOURCE),
    "p5e.48xlarge": _gpu(
        192, 2048, None, "nvidia-h200", 8, efa=True, source=CAPACITY_BLOCKS_SOURCE
    ),
    # General purpose, compute and memory optimized CPU types.
    "m7i.large": _cpu(2, 8, 0.1008),
    "m7i.xlarge": _cpu(4, 16, 0.2016),
    "m7i.2xlarge": _cpu(8, 32, 0.4032),
    "m7i.4xlarge": _cpu(16, 64, 0.8064),
    "m7i.8xlarge": _cpu(32, 128, 1.6128),
    "c7i.large": _cpu(2, 4, 0.08925),
    "c7i.xlarge": _cpu(4, 8, 0.1785),
    "c7i.2xlarge": _cpu(8, 16, 0.357),
    "c7i.4xlarge": _cpu(16, 32, 0.714),
    "r7i.large": _cpu(2, 16, 0.1323),
    "r7i.xlarge": _cpu(4, 32, 0.2646),
    "r7i.2xlarge": _cpu(8, 64, 0.5292),
    "r7i.4xlarge": _cpu(16, 128, 1.0584),
    "m6i.large": _cpu(2, 8, 0.096),
    "m6i.xlarge": _cpu(4, 16, 0.192),
    "m6i.2xlarge": _cpu(8, 32, 0.384),
    "m6i.4xlarge": _cpu(16, 64, 0.768),
}


def lookup_instance(name: str) -> InstanceType | None:
    """The table entry for an instance type such as `g5.xlarge`."""
    return INSTANCE_TYPES.get(name)
