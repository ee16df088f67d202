"""Memory per GPU, by the GPU type names blueprints use.

Figures are the vendor's advertised memory per GPU, from NVIDIA's data sheets
(nvidia.com, A10G/L4/L40S/A100/H100/H200/T4/V100 product pages), read 2026-11.
"""

from __future__ import annotations

GPU_MEMORY_GIB: dict[str, float] = {
    "nvidia-t4": 16,
    "nvidia-v100-16gb": 16,
    "nvidia-v100-32gb": 32,
    "nvidia-a10g": 24,
    "nvidia-l4": 24,
    "nvidia-a10": 24,
    "nvidia-l40s": 48,
    "nvidia-a100-40gb": 40,
    "nvidia-a100-80gb": 80,
    "nvidia-h100-80gb": 80,
    "nvidia-h200": 141,
    "nvidia-b200": 180,
}
