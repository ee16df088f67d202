"""A chart's values: files then inline, merged as Helm merges them, and the literal
credentials they must not hold (pure but for reading the files)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from components.shared.credentials_patterns import looks_secret, secret_value_kind
from shipyard.sections.charts.model import ChartSpec

ValuePath = tuple[str | int, ...]
# `existingSecretPasswordKey`, `passwordSecretName`, `secretRef`: keys that name where a
# credential is, not the credential.
_REFERENCE_WORDS = ("secret", "key", "name", "ref", "file", "path")


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's coalescing of values: maps merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def values_file(directory: Path, path: str) -> Path:
    return (directory / path).resolve()


def read_values_file(file: Path) -> dict[str, Any]:
    """One values file; `ValueError` with the reason if it is not a YAML mapping."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read it: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ValueError(f"not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("it must be a mapping of values")
    return data


def merged_values(spec: ChartSpec, directory: Path) -> dict[str, Any]:
    """`valuesFiles` in order, then `values`; unreadable files count as empty (the checks
    report them)."""
    result: dict[str, Any] = {}
    for path in spec.values_files:
        try:
            result = merge(result, read_values_file(values_file(directory, path)))
        except ValueError:
            continue
    return merge(result, spec.values)


def _names_a_reference(key: str) -> bool:
    lowered = key.lower()
    return lowered.endswith(_REFERENCE_WORDS) or lowered.startswith("existing")


def literal_credentials(
    values: Any, allowed: frozenset[str], path: ValuePath = ()
) -> Iterator[tuple[ValuePath, str]]:
    """`(path, what)` for every value that is a credential written as a literal: a
    credential-looking key holding a non-empty string, or any string in a known token
    format. Strings in `allowed` (the names of the chart's generated Secrets and their
    keys) are references, not credentials."""
    if isinstance(values, Mapping):
        for key, value in values.items():
            child = (*path, str(key))
            if (
                isinstance(value, str)
                and value
                and value not in allowed
                and looks_secret(str(key))
                and not _names_a_reference(str(key))
            ):
                yield child, "looks like a credential"
            else:
                yield from literal_credentials(value, allowed, child)
    elif isinstance(values, list):
        for index, item in enumerate(values):
            yield from literal_credentials(item, allowed, (*path, index))
    elif isinstance(values, str):
        kind = secret_value_kind(values)
        if kind:
            yield path, f"holds {kind}"
