"""Host nodes: the ingress layer, drawn by every section that exposes something (the
gateway, apps). One node per host name, so two exposures on one host meet there."""

from __future__ import annotations

from shipyard.graph.model import Node, node_id
from shipyard.sections.gateway.model import ParentRef

HOST_KIND = "host"


def host_node_id(host: str) -> str:
    return node_id(HOST_KIND, host)


def terminates_tls(tls: object | None, parent_ref: ParentRef | None) -> bool:
    """An Ingress with `tls`, or an HTTPRoute on a named (HTTPS) listener."""
    return tls is not None or (parent_ref is not None and parent_ref.section_name is not None)


def host_node(host: str, kind: str, public: bool, tls: bool, path: str = "/") -> Node:
    """`llm.example.com`, then `ingress · TLS` (or `httpRoute`, `internal`, a path)."""
    how = [kind]
    if tls:
        how.append("TLS")
    if not public:
        how.append("internal")
    if path != "/":
        how.append(path)
    text = " · ".join(how)
    return Node(host_node_id(host), HOST_KIND, host, "ingress", (text,), "lean", digest=text)
