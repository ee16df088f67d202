"""What one node of a pool can give pods: its instance type's CPU and memory less what
the kubelet keeps back (pure).

The reserve follows the EKS optimized AMI's bootstrap (awslabs/amazon-eks-ami,
`bootstrap.sh` / nodeadm's kubelet config, read 2026-11): CPU 6% of the first core, 1% of
the second, 0.5% of the third and fourth, 0.25% of every core above; memory 255 MiB plus
11 MiB per pod the node may run, plus the 100 MiB hard eviction threshold. The pod count
is taken as 110, the kubelet's default and the most with prefix delegation on these
sizes, so the figure errs on the side of less room. DaemonSets (CNI, kube-proxy, CSI) take
a little more that is not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shipyard.facts.instances import lookup_instance
from shipyard.sections.node_pools.model import NodePool

MAX_PODS = 110
KUBE_RESERVED_MEMORY_MIB = 255 + 11 * MAX_PODS
EVICTION_HARD_MIB = 100
_CPU_TIERS = ((1, 0.06), (1, 0.01), (2, 0.005))
_CPU_REST = 0.0025
_CPU = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(m?)")
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
_GIB = {
    None: 1 / 1024**3,
    "Ki": 1 / 1024**2,
    "Mi": 1 / 1024,
    "Gi": 1.0,
    "Ti": 1024.0,
    "Pi": 1024.0**2,
    "Ei": 1024.0**3,
    "k": 1e3 / 1024**3,
    "M": 1e6 / 1024**3,
    "G": 1e9 / 1024**3,
    "T": 1e12 / 1024**3,
    "P": 1e15 / 1024**3,
    "E": 1e18 / 1024**3,
}


def cpu_cores(quantity: str) -> float:
    """`500m` -> 0.5, `2` -> 2.0; a valid CPU amount (k8s_values.cpu_problem) only."""
    match = _CPU.fullmatch(quantity)
    if match is None:
        raise ValueError(f"`{quantity}` is not a CPU amount")
    value = float(match.group(1))
    return value / 1000 if match.group(2) else value


def memory_gib(quantity: str) -> float:
    """`512Mi` -> 0.5; a valid memory amount (k8s_values.memory_problem) only."""
    match = _MEMORY.fullmatch(quantity)
    if match is None:
        raise ValueError(f"`{quantity}` is not an amount of memory")
    return float(match.group(1)) * _GIB[match.group(2)]


def reserved_cores(vcpu: int) -> float:
    left, reserved = float(vcpu), 0.0
    for cores, share in _CPU_TIERS:
        taken = min(left, cores)
        reserved += taken * share
        left -= taken
    return reserved + left * _CPU_REST


@dataclass(frozen=True)
class Allocatable:
    instance_type: str
    cpu: float
    """Cores pods may request on one node."""
    memory_gib: float


def node_allocatable(pool: NodePool) -> Allocatable | None:
    """One node's room for pods, or None when the pool names no known instance type."""
    facts = lookup_instance(pool.instance_type) if pool.instance_type else None
    if facts is None or pool.instance_type is None:
        return None
    memory = facts.memory_gib - (KUBE_RESERVED_MEMORY_MIB + EVICTION_HARD_MIB) / 1024
    return Allocatable(pool.instance_type, facts.vcpu - reserved_cores(facts.vcpu), memory)
