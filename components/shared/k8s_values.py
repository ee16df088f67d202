"""Kubernetes value rules, as the API server applies them, for every section and component.

Each rule is a `*_problem` function returning a sentence or None, and an `Annotated` type
that runs it as a Pydantic validator, so a blueprint and a component used alone refuse
exactly the same values. Patterns are matched against the whole value (`fullmatch`): a
trailing newline is refused, as the API server refuses it.

Sources: k8s.io/apimachinery/pkg/util/validation (IsQualifiedName, IsValidLabelValue,
IsDNS1123Subdomain, IsValidPortName, IsEnvVarName) and pkg/api/resource (the quantity
grammar), Kubernetes 1.34.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from components.shared.args import problem_validator

QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
PORT_NAME_MAX = 15
ANNOTATIONS_TOTAL_MAX = 256 * 1024
"""Bytes of all keys and values of one object's annotations together."""

_NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_IPV4 = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_PORT_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
# A CPU amount: whole or decimal cores, or millicores (`500m`).
_CPU = re.compile(r"(\d+(\.\d+)?|\.\d+|\d+m)")
# An amount of bytes: a number with a binary (Ki..Ei) or decimal (k..E) suffix, or none.
_MEMORY = re.compile(r"(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


def shown(value: str) -> str:
    """A user's value quoted for a message, with newlines and control characters escaped,
    so no input can break a message's line."""
    return repr(value)


def dns1123_subdomain_problem(value: str) -> str | None:
    """Why `value` is not a DNS-1123 subdomain (`a.b-c.example.com`), or None."""
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        return f"must be at most {DNS1123_SUBDOMAIN_MAX} characters, got {len(value)}"
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        return (
            f"{shown(value)} is not a DNS-1123 subdomain: use lowercase letters, digits, "
            "'-' and '.', each part starting and ending with a letter or digit"
        )
    return None


def dns1123_label_problem(value: str) -> str | None:
    """Why `value` is not a DNS-1123 label (a namespace's name), or None."""
    if len(value) > QUALIFIED_NAME_MAX:
        return f"must be at most {QUALIFIED_NAME_MAX} characters, got {len(value)}"
    if not _DNS1123_LABEL.fullmatch(value):
        return (
            f"{shown(value)} is not a DNS-1123 label: use lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return None


def host_name_problem(value: str) -> str | None:
    """Why `value` is not a host name an Ingress or HTTPRoute takes (`api.example.com`,
    or a wildcard `*.example.com`), or None. A URL, a port or a path is refused."""
    if "://" in value or value.startswith("//"):
        return f"{shown(value)} is a URL; give only the host name, e.g. `api.example.com`"
    if "/" in value or ":" in value:
        return (
            f"{shown(value)} has a path or a port; give only the host name, e.g. `api.example.com`"
        )
    name = value.removeprefix("*.")
    if _IPV4.fullmatch(name):
        return f"{shown(value)} is an IP address; Kubernetes routes host names only"
    problem = dns1123_subdomain_problem(name)
    if problem:
        return f"host {_lower_first(problem)}"
    return None


def qualified_name_problem(value: str, what: str = "key") -> str | None:
    """Why `value` is not a qualified name (`[prefix/]name`, the form of label, annotation
    and taint keys), or None."""
    prefix, slash, name = value.rpartition("/")
    if slash and not prefix:
        return f"{shown(value)} is not a valid {what}: the prefix before '/' is empty"
    if slash:
        problem = dns1123_subdomain_problem(prefix)
        if problem:
            return f"the prefix of {what} {shown(value)} {_lower_first(problem)}"
    if not name:
        return f"{shown(value)} is not a valid {what}: the name part is empty"
    if len(name) > QUALIFIED_NAME_MAX:
        return (
            f"the name part of {what} {shown(value)} must be at most {QUALIFIED_NAME_MAX} "
            f"characters, got {len(name)}"
        )
    if not _NAME_PART.fullmatch(name):
        return (
            f"{shown(value)} is not a valid {what}: the name part must be letters, digits, "
            "'-', '_' and '.', starting and ending with a letter or digit"
        )
    return None


def label_key_problem(key: str) -> str | None:
    return qualified_name_problem(key, "label key")


def annotation_key_problem(key: str) -> str | None:
    return qualified_name_problem(key, "annotation key")


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a label value (at most 63 characters, may be empty), or None."""
    if len(value) > LABEL_VALUE_MAX:
        return f"label value {shown(value[:20])}... must be at most {LABEL_VALUE_MAX} characters"
    if not _LABEL_VALUE.fullmatch(value):
        return (
            f"{shown(value)} is not a valid label value: use letters, digits, '-', '_' and "
            "'.', starting and ending with a letter or digit (or leave it empty)"
        )
    return None


def labels_problem(labels: Mapping[str, str]) -> str | None:
    """The first problem of a label map (or a selector's `matchLabels`), or None."""
    for key, value in labels.items():
        problem = label_key_problem(key) or label_value_problem(value)
        if problem:
            return problem
    return None


def annotations_problem(annotations: Mapping[str, str]) -> str | None:
    for key in annotations:
        problem = annotation_key_problem(key)
        if problem:
            return problem
    size = sum(len(key.encode()) + len(value.encode()) for key, value in annotations.items())
    if size > ANNOTATIONS_TOTAL_MAX:
        return f"annotations total {size} bytes; Kubernetes allows {ANNOTATIONS_TOTAL_MAX}"
    return None


def taint_key_problem(key: str) -> str | None:
    """Why `key` cannot key a taint (a qualified name, as label keys are), or None."""
    return qualified_name_problem(key, "taint key")


def taint_value_problem(value: str) -> str | None:
    """Why `value` cannot be a taint's value (a label value's rules), or None."""
    problem = label_value_problem(value)
    return problem.replace("label value", "taint value") if problem else None


def taint_effect_problem(effect: str) -> str | None:
    if effect in TAINT_EFFECTS:
        return None
    return f"{shown(effect)} is not a taint effect; use one of {', '.join(TAINT_EFFECTS)}"


def env_var_name_problem(name: str) -> str | None:
    """Why `name` cannot name a container's environment variable, or None."""
    if not _ENV_VAR_NAME.fullmatch(name):
        return (
            f"{shown(name)} is not an environment variable name: use letters, digits, '_', "
            "'-' and '.', not starting with a digit"
        )
    return None


def cpu_problem(value: str) -> str | None:
    """Why `value` is not a CPU amount (`2`, `0.5`, `500m`), or None."""
    if not _CPU.fullmatch(value):
        return f"{shown(value)} is not a CPU amount; use cores (`2`, `0.5`) or millicores (`500m`)"
    if float(value.removesuffix("m")) == 0:
        return f"{shown(value)} is no CPU at all; request at least `10m`"
    return None


def memory_problem(value: str) -> str | None:
    """Why `value` is not an amount of memory (`512Mi`, `16Gi`), or None."""
    if not _MEMORY.fullmatch(value):
        return (
            f"{shown(value)} is not an amount of memory; use a number with a unit, e.g. "
            "`512Mi` or `16Gi` (binary units: Ki, Mi, Gi, Ti)"
        )
    number = _MEMORY.fullmatch(value)
    if number is not None and float(number.group(1)) == 0:
        return f"{shown(value)} is no memory at all"
    if number is not None and number.group(3) is None and float(number.group(1)) < 1024**2:
        return f"{shown(value)} is {value} bytes; did you mean `{value}Mi`?"
    return None


def port_problem(port: int) -> str | None:
    if 1 <= port <= 65535:
        return None
    return f"{port} is not a port; use 1 to 65535"


def port_name_problem(name: str) -> str | None:
    """Why `name` cannot name a container or Service port (an IANA service name), or None."""
    if len(name) > PORT_NAME_MAX:
        return f"port name {shown(name)} must be at most {PORT_NAME_MAX} characters"
    if not _PORT_NAME.fullmatch(name) or "--" in name:
        return (
            f"{shown(name)} is not a port name: lowercase letters, digits and single '-', "
            "starting and ending with a letter or digit"
        )
    if not any(char.isalpha() for char in name):
        return f"port name {shown(name)} must contain at least one letter"
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


LabelKey = Annotated[str, problem_validator(label_key_problem)]
LabelValue = Annotated[str, problem_validator(label_value_problem)]
AnnotationKey = Annotated[str, problem_validator(annotation_key_problem)]
TaintKey = Annotated[str, problem_validator(taint_key_problem)]
TaintValue = Annotated[str, problem_validator(taint_value_problem)]
Labels = Annotated[dict[str, str], problem_validator(labels_problem)]
"""A label map, or a selector's `matchLabels`: every key and value checked."""
Selector = Labels
"""A label selector's `matchLabels` (Shipyard writes no `matchExpressions`)."""
Annotations = Annotated[dict[str, str], problem_validator(annotations_problem)]
DnsSubdomain = Annotated[str, problem_validator(dns1123_subdomain_problem)]
"""A DNS-1123 subdomain: the name of most kinds (Issuer, IngressClass, Gateway)."""
NamespaceName = Annotated[str, problem_validator(dns1123_label_problem)]
HostName = Annotated[str, problem_validator(host_name_problem)]
EnvVarName = Annotated[str, problem_validator(env_var_name_problem)]
CpuQuantity = Annotated[str, problem_validator(cpu_problem)]
MemoryQuantity = Annotated[str, problem_validator(memory_problem)]
Port = Annotated[int, problem_validator(port_problem)]
PortName = Annotated[str, problem_validator(port_name_problem)]
