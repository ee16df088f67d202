"""Where the gateway may connect: data services by their pods, and hosted providers at
public addresses only (pure)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import Field

from components.shared.args import ComponentArgs

Manifest = dict[str, Any]

# Never reachable through the hosted-provider rule: private (RFC 1918), shared/CGNAT
# (RFC 6598), loopback, link-local (incl. the cloud metadata address 169.254.169.254),
# "this network", and benchmarking, multicast and reserved ranges (RFC 6890).
PRIVATE_IPV4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
)
# Unique-local, link-local, loopback, NAT64 (which would map back onto private IPv4
# addresses), and multicast. Not the IPv4-mapped `::ffff:0:0/96`: the API server reads it as
# an IPv4 prefix and refuses it as "not a strict subset" of `::/0` (found by the e2e dry run
# of Portkey); a connection to a mapped address goes out as IPv4, which the IPv4 block governs.
PRIVATE_IPV6 = (
    "::1/128",
    "64:ff9b::/96",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)
HTTPS_PORT = 443


class EgressPeer(ComponentArgs):
    """A data service the gateway must reach (Postgres, ClickHouse, the cache)."""

    pod_labels: Annotated[dict[str, str], Field(min_length=1, description="Its pods' labels.")]
    namespace_labels: Annotated[
        dict[str, str] | None,
        Field(description="Its namespace's labels; none means the gateway's own namespace."),
    ] = None
    port: Annotated[int, Field(ge=1, le=65535, description="Its port.")]


def peer_rule(peer: EgressPeer) -> Manifest:
    selector: Manifest = {"podSelector": {"matchLabels": dict(peer.pod_labels)}}
    if peer.namespace_labels is not None:
        selector["namespaceSelector"] = {"matchLabels": dict(peer.namespace_labels)}
    return {"to": [selector], "ports": [{"port": peer.port, "protocol": "TCP"}]}


def cidr_rule(cidrs: tuple[str, ...], port: int) -> Manifest:
    return {
        "to": [{"ipBlock": {"cidr": cidr}} for cidr in cidrs],
        "ports": [{"port": port, "protocol": "TCP"}],
    }


def public_https_rule(cluster_cidrs: tuple[str, ...] = ()) -> Manifest:
    """Egress on 443 to every public address, never to a private or cluster range.
    `cluster_cidrs` are the cluster's own ranges (VPC, pods, Services) when they are not
    already private."""
    own = [ipaddress.ip_network(cidr, strict=False) for cidr in cluster_cidrs]
    private = [ipaddress.ip_network(cidr) for cidr in (*PRIVATE_IPV4, *PRIVATE_IPV6)]
    public = [
        str(net)
        for net in own
        if not any(net.version == p.version and net.subnet_of(p) for p in private)  # type: ignore[arg-type]
    ]
    extra4 = tuple(cidr for cidr in public if ":" not in cidr)
    extra6 = tuple(cidr for cidr in public if ":" in cidr)
    return {
        "to": [
            {"ipBlock": {"cidr": "0.0.0.0/0", "except": [*PRIVATE_IPV4, *extra4]}},
            {"ipBlock": {"cidr": "::/0", "except": [*PRIVATE_IPV6, *extra6]}},
        ],
        "ports": [{"port": HTTPS_PORT, "protocol": "TCP"}],
    }
