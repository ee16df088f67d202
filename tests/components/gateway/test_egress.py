"""The gateway's public-egress blocks, held to what the API server admits: every `except`
a strict subset of its `cidr` in the same family (the e2e dry run refused `::ffff:0:0/96`)."""

from __future__ import annotations

import ipaddress

from components.gateway.egress import PRIVATE_IPV4, PRIVATE_IPV6


def test_every_excepted_ipv6_prefix_is_ipv6_on_the_wire() -> None:
    """An IPv4-mapped prefix is read as IPv4 by the API server, so `::/0` cannot except it."""
    for text in PRIVATE_IPV6:
        network = ipaddress.IPv6Network(text)
        assert network.network_address.ipv4_mapped is None, text
        assert network != ipaddress.IPv6Network("::/0"), text


def test_the_ipv4_block_excepts_only_ipv4_prefixes() -> None:
    for text in PRIVATE_IPV4:
        assert ipaddress.ip_network(text).version == 4, text
        assert ipaddress.ip_network(text).prefixlen > 0, text
