"""Building blocks every component shares: the Args base, names and images, labels, pod
security, scheduling on pools, Secret references, object creation and Service manifests.

Import them from their modules, e.g. `from components.shared.scheduling import PoolScheduling`;
the most used ones are re-exported here."""

from __future__ import annotations

from components.shared.args import ComponentArgs
from components.shared.scheduling import PoolScheduling, Taint
from components.shared.secret_refs import SecretKeyRef

__all__ = ["ComponentArgs", "PoolScheduling", "SecretKeyRef", "Taint"]
