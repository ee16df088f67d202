"""PromQL building blocks for the panels and rules, and the series names a query uses.

Every query matches its target's series by `namespace` and `shipyard_target`, the label
the scrape objects add, so two platforms (or another team's vLLM) never mix.
"""

from __future__ import annotations

import re

TARGET_LABEL = "shipyard_target"
RATE_WINDOW = "5m"

# Functions, aggregations and keywords that look like identifiers in a query.
_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or"}
    | {"unless", "offset", "inf", "nan"}
    # Aggregations may be followed by `by (...)` instead of their argument.
    | {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk"}
    | {"quantile", "count_values", "limitk", "limit_ratio"}
)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACES = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])(\s*\()?")


def matchers(namespace: str, target: str, **labels: str) -> str:
    """`namespace="llm",shipyard_target="vllm"` plus equality matchers for `labels`;
    a value starting with `~` becomes a regex match."""
    parts = [f'namespace="{namespace}"', f'{TARGET_LABEL}="{target}"']
    for name, value in labels.items():
        if value.startswith("~"):
            parts.append(f'{name}=~"{value[1:]}"')
        else:
            parts.append(f'{name}="{value}"')
    return ",".join(parts)


def rate(series: str, selector: str, window: str = RATE_WINDOW) -> str:
    return f"rate({series}{{{selector}}}[{window}])"


def quantile(q: float, histogram: str, selector: str, by: str = "") -> str:
    """The `q` quantile of a histogram over the rate window, per `by` labels."""
    group = f"le,{by}" if by else "le"
    return f"histogram_quantile({q:g}, sum by ({group}) ({rate(histogram + '_bucket', selector)}))"


def none_up(selector: str) -> str:
    """True (a sample of 1) while no series of `up` for the selector is 1, including when
    there is no target at all: a deleted Deployment has no `up` series to be 0."""
    return f"(sum(up{{{selector}}}) or vector(0)) < 1"


def pod_regex(deployment: str) -> str:
    """The pods of a Deployment: `<name>-<replicaset hash>-<pod suffix>`."""
    return f"{deployment}-[a-z0-9]+-[a-z0-9]+"


def series_names(query: str) -> set[str]:
    """The metric names a query reads (not functions, labels, keywords or numbers)."""
    text = _STRING.sub('""', query)
    while _BRACES.search(text):
        text = _BRACES.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(r" \1 ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name, call = match.group(1), match.group(2)
        if call or name in _KEYWORDS:
            continue
        names.add(name)
    return names
