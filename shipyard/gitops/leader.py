"""Leader election on a Kubernetes Lease (`coordination.k8s.io/v1`), so several reconciler
replicas are safe: only the leader reconciles.

The protocol is client-go's `leaderelection` with a Lease lock, written here:

- The Lease's `spec.holderIdentity` names the leader; `renewTime` (a MicroTime) is when it
  last renewed, `leaseDurationSeconds` how long others wait, `acquireTime` when the holder
  took it, `leaseTransitions` how often it changed hands.
- A candidate takes the Lease when it is free (no holder, or released) or expired. Expiry is
  judged on the *local* clock: a lease is expired `leaseDurationSeconds` after this process
  first saw its current version, so clocks of different machines never need to agree.
- Every write carries the `resourceVersion` read just before, so two candidates racing for
  an expired Lease cannot both win: the API server answers the loser with 409 Conflict.
- The leader renews every `retry_period`. If it has not renewed for `renew_deadline`
  (shorter than `lease_duration`), `is_leader()` turns false by the clock alone, even while
  a request hangs, so it stops acting before anyone else may take over.
- `stop()` releases a held Lease (no holder, `leaseDurationSeconds: 1`), so a successor
  takes over at its next try instead of after the expiry.

`plan_lease` is the pure decision; `LeaseElector` runs it in a thread against a `LeaseApi`
(`KubeLeaseApi`, the `kubernetes` client, in-cluster config or a kubeconfig).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

LOGGER = logging.getLogger("shipyard.leader")

DEFAULT_LEASE_DURATION = timedelta(seconds=15)
DEFAULT_RENEW_DEADLINE = timedelta(seconds=10)
DEFAULT_RETRY_PERIOD = timedelta(seconds=2)
# The API server's timeout per request: a hung request must not outlive the renew deadline.
DEFAULT_REQUEST_TIMEOUT = timedelta(seconds=5)
RELEASED_LEASE_SECONDS = 1
# MicroTime's wire format (k8s.io/apimachinery metav1.RFC3339Micro), always in UTC.
MICRO_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class LeaseConflict(Exception):
    """The Lease changed since it was read (409 Conflict), or was created meanwhile."""


@dataclass(frozen=True)
class LeaseRecord:
    """The fields of a Lease that leader election reads and writes."""

    holder: str | None
    lease_duration_seconds: int | None
    acquire_time: datetime | None
    renew_time: datetime | None
    transitions: int
    resource_version: str | None = None
    """The version this record was read at; None for a Lease not created yet."""


class LeaseApi(Protocol):
    def get(self) -> LeaseRecord | None:
        """The Lease, or None when it does not exist."""

    def create(self, record: LeaseRecord) -> LeaseRecord:
        """Create the Lease; `LeaseConflict` when it exists already."""

    def update(self, record: LeaseRecord) -> LeaseRecord:
        """Replace the Lease at `record.resource_version`; `LeaseConflict` when stale."""


def lease_expired(
    current: LeaseRecord, observed_at: datetime, now: datetime, default: timedelta
) -> bool:
    """Whether the holder's lease ran out: `leaseDurationSeconds` (or `default`) after this
    process first saw the current version of the record."""
    seconds = current.lease_duration_seconds
    duration = timedelta(seconds=seconds) if seconds else default
    return now >= observed_at + duration


def plan_lease(
    current: LeaseRecord | None,
    identity: str,
    now: datetime,
    observed_at: datetime,
    lease_duration: timedelta,
) -> LeaseRecord | None:
    """The record to write to become or stay the leader, or None while another holder's
    lease is valid. `observed_at` is when this process first saw `current` as it is."""
    seconds = max(1, math.ceil(lease_duration.total_seconds()))
    if current is None:
        return LeaseRecord(identity, seconds, now, now, 0)
    if current.holder == identity:  # renew: same acquisition
        return replace(
            current,
            lease_duration_seconds=seconds,
            acquire_time=current.acquire_time or now,
            renew_time=now,
        )
    if current.holder and not lease_expired(current, observed_at, now, lease_duration):
        return None
    return replace(
        current,
        holder=identity,
        lease_duration_seconds=seconds,
        acquire_time=now,
        renew_time=now,
        transitions=current.transitions + 1,
    )


def released(current: LeaseRecord, now: datetime) -> LeaseRecord:
    """What a leader writes when it steps down: no holder, a one-second lease."""
    return replace(
        current,
        holder=None,
        lease_duration_seconds=RELEASED_LEASE_SECONDS,
        renew_time=now,
    )


class LeaseElector:
    """Campaigns for the Lease `namespace/name` as `identity` in a background thread.

    `is_leader()` is what the reconciler asks before each pass; it is true only while the
    last successful renewal is younger than `renew_deadline`."""

    def __init__(
        self,
        namespace: str,
        name: str,
        identity: str,
        *,
        lease_duration: timedelta = DEFAULT_LEASE_DURATION,
        renew_deadline: timedelta = DEFAULT_RENEW_DEADLINE,
        retry_period: timedelta = DEFAULT_RETRY_PERIOD,
        clock: Clock = utc_now,
        api: LeaseApi | None = None,
        logger: logging.Logger = LOGGER,
    ) -> None:
        if not identity:
            raise ValueError("the leader identity is empty; set `--leader-identity` or POD_NAME")
        if not timedelta(0) < retry_period < renew_deadline < lease_duration:
            raise ValueError(
                "leader election needs 0 < retry period < renew deadline < lease duration, "
                f"got {retry_period}, {renew_deadline}, {lease_duration}"
            )
        self.namespace, self.name, self.identity = namespace, name, identity
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self._clock = clock
        self._api = api if api is not None else KubeLeaseApi(namespace, name)
        self._logger = logger
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observed: LeaseRecord | None = None
        self._observed_at: datetime | None = None
        self._renewed_at: datetime | None = None
        """When the last successful acquire or renew started; None when not leading."""

    # --- the decision, one attempt at a time (what the tests drive) ------------------

    def try_acquire_or_renew(self) -> bool:
        """One attempt: read the Lease, and take or renew it if `plan_lease` says so.
        Returns whether this attempt left us the leader."""
        now = self._clock()
        current = self._api.get()
        with self._lock:
            if current != self._observed or self._observed_at is None:
                self._observed, self._observed_at = current, now
            observed_at = self._observed_at
        wanted = plan_lease(current, self.identity, now, observed_at, self.lease_duration)
        if wanted is None:
            self._lose(f"the lease is held by {current.holder if current else None}")
            return False
        try:
            written = self._api.update(wanted) if current is not None else self._api.create(wanted)
        except LeaseConflict:
            self._lose("another candidate wrote the lease first")
            return False
        with self._lock:
            gained = self._renewed_at is None
            self._observed, self._observed_at, self._renewed_at = written, now, now
        if gained:
            self._log("became the leader", written)
        return True

    def is_leader(self) -> bool:
        with self._lock:
            renewed = self._renewed_at
        return renewed is not None and self._clock() - renewed < self.renew_deadline

    @property
    def observed_holder(self) -> str | None:
        """The holder in the last version of the Lease this process saw."""
        with self._lock:
            return self._observed.holder if self._observed is not None else None

    def check_deadline(self) -> None:
        """Give up leadership once the renew deadline has passed without a renewal."""
        with self._lock:
            renewed = self._renewed_at
        if renewed is not None and self._clock() - renewed >= self.renew_deadline:
            self._lose(f"no renewal within the renew deadline of {self.renew_deadline}")

    def release(self) -> None:
        """Step down now: write the Lease free if we still hold it."""
        with self._lock:
            held = self._renewed_at is not None
            self._renewed_at = None
        if not held:
            return
        try:
            current = self._api.get()
            if current is not None and current.holder == self.identity:
                self._api.update(released(current, self._clock()))
                self._log("released the lease", current)
        except Exception as error:  # it expires on its own
            self._logger.warning(
                "could not release the lease: %s", error, extra={"fields": self._fields()}
            )

    # --- the background thread ---------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the elector is already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"lease-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, *, release: bool = True) -> None:
        """Stop campaigning; release the Lease if held (`release=False` leaves it to
        expire, as a crashed process would)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
        if release:
            self.release()
        else:
            with self._lock:
                self._renewed_at = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.try_acquire_or_renew()
            except Exception as error:  # the API server is down or refuses us: try again
                self._logger.warning(
                    "leader election attempt failed: %s", error, extra={"fields": self._fields()}
                )
            self.check_deadline()
            self._stop.wait(self.retry_period.total_seconds())

    def _lose(self, why: str) -> None:
        with self._lock:
            was_leader = self._renewed_at is not None
            self._renewed_at = None
        if was_leader:
            self._logger.warning("stopped leading: %s", why, extra={"fields": self._fields()})

    def _fields(self) -> dict[str, object]:
        return {"lease": f"{self.namespace}/{self.name}", "identity": self.identity}

    def _log(self, message: str, record: LeaseRecord) -> None:
        fields = {**self._fields(), "transitions": record.transitions}
        self._logger.info(message, extra={"fields": fields})


# --- the Kubernetes API ------------------------------------------------------------------


def kube_api_client() -> Any:
    """An `ApiClient` from the in-cluster service account, else the kubeconfig."""
    from kubernetes import client, config

    loader: Any = config  # its loaders carry no type hints
    try:
        loader.load_incluster_config()
    except config.ConfigException:
        loader.load_kube_config()
    return client.ApiClient()


def micro_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime(MICRO_TIME_FORMAT)


class KubeLeaseApi:
    """`LeaseApi` over `coordination.k8s.io/v1` with the `kubernetes` client."""

    def __init__(
        self,
        namespace: str,
        name: str,
        api_client: Any = None,
        timeout: timedelta = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        from kubernetes import client

        self.namespace, self.name = namespace, name
        # Typed `Any`: the bodies are plain JSON dicts, so MicroTimes keep their format.
        self._api: Any = client.CoordinationV1Api(api_client or kube_api_client())
        self._timeout = timeout.total_seconds()

    def get(self) -> LeaseRecord | None:
        from kubernetes.client.exceptions import ApiException

        try:
            lease = self._api.read_namespaced_lease(
                self.name, self.namespace, _request_timeout=self._timeout
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return _record(lease)

    def create(self, record: LeaseRecord) -> LeaseRecord:
        return self._write(record, create=True)

    def update(self, record: LeaseRecord) -> LeaseRecord:
        return self._write(record, create=False)

    def _write(self, record: LeaseRecord, *, create: bool) -> LeaseRecord:
        from kubernetes.client.exceptions import ApiException

        body = self.body(record)
        try:
            if create:
                lease = self._api.create_namespaced_lease(
                    self.namespace, body, _request_timeout=self._timeout
                )
            else:
                lease = self._api.replace_namespaced_lease(
                    self.name, self.namespace, body, _request_timeout=self._timeout
                )
        except ApiException as error:
            if error.status == 409:
                raise LeaseConflict(str(error.reason)) from None
            raise
        return _record(lease)

    def body(self, record: LeaseRecord) -> dict[str, Any]:
        """The Lease as JSON, MicroTimes in their exact wire format."""
        metadata: dict[str, Any] = {"name": self.name, "namespace": self.namespace}
        if record.resource_version is not None:
            metadata["resourceVersion"] = record.resource_version
        spec = {
            "holderIdentity": record.holder,
            "leaseDurationSeconds": record.lease_duration_seconds,
            "acquireTime": micro_time(record.acquire_time),
            "renewTime": micro_time(record.renew_time),
            "leaseTransitions": record.transitions,
        }
        return {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": metadata,
            "spec": {key: value for key, value in spec.items() if value is not None},
        }


def _record(lease: Any) -> LeaseRecord:
    spec = lease.spec
    return LeaseRecord(
        holder=(spec.holder_identity or None) if spec else None,
        lease_duration_seconds=spec.lease_duration_seconds if spec else None,
        acquire_time=spec.acquire_time if spec else None,
        renew_time=spec.renew_time if spec else None,
        transitions=(spec.lease_transitions or 0) if spec else 0,
        resource_version=lease.metadata.resource_version,
    )
