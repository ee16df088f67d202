"""`load_blueprint(path)`: the one entry point from a YAML file to a `Platform`."""

from __future__ import annotations

import difflib
import os
import types
import typing
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shipyard.blueprint.checks import advise_platform, check_platform
from shipyard.blueprint.errors import BlueprintError, Elsewhere, Path, Problem
from shipyard.blueprint.platform import Platform
from shipyard.blueprint.yaml_source import Positions, SourceError, parse_yaml


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation may hold, looking through Optional/list/dict."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found += _unwrap(arg)
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


DISCRIMINATORS = ("kind", "provider", "type")
"""The fields blueprint unions are discriminated on (`cluster.kind`, `objectStore.provider`,
`models[].weights.type`, `monitoring.prometheus.type`)."""


def _union_member(models: list[Any], tag: str | int) -> type[BaseModel] | None:
    """The member of a discriminated union whose `kind`, `provider` or `type` literal is
    `tag`."""
    for model in models:
        for name in DISCRIMINATORS:
            field = model.model_fields.get(name)
            if field is not None and tag in typing.get_args(field.annotation):
                return model  # type: ignore[no-any-return]
    return None


def _walk(path: Path) -> tuple[Path, type[BaseModel] | None]:
    """`path` without Pydantic's discriminator tags (`spec.cluster.eks.region` ->
    `spec.cluster.region`), and the blueprint model class it points into."""
    model: type[BaseModel] | None = Platform
    union: list[Any] = []
    clean: list[str | int] = []
    for part in path:
        if isinstance(part, int):
            clean.append(part)
            continue
        member = _union_member(union, part) if union else None
        union = []
        if member is not None:
            model = member
            continue
        clean.append(part)
        if model is None:
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        inner = _unwrap(field.annotation) if field is not None else []
        model = inner[0] if inner else None
        # A discriminated union of one member (`objectStore`) still puts its tag in paths.
        union = inner if len(inner) > 1 or _discriminated(inner) else []
    return tuple(clean), model


def _discriminated(models: list[Any]) -> bool:
    """Whether `models` is a one-member union on `provider` (the `kind` unions have two)."""
    return len(models) == 1 and "provider" in models[0].model_fields


def _model_at(path: Path) -> type[BaseModel] | None:
    """The blueprint model class that `path` points into."""
    return _walk(path)[1]


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _discriminator(error: ErrorDetails) -> str:
    """The field a union error is about: `kind` unless Pydantic names another."""
    return str(error.get("ctx", {}).get("discriminator", "kind")).strip("'")


def _message(error: ErrorDetails) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = _aliases(parent) if parent else []
        key = str(loc[-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed: {', '.join(allowed)}"
        return f"unknown field `{key}`; {hint}"
    if kind in ("missing", "union_tag_not_found"):
        return "required field is missing"
    if kind == "union_tag_invalid":
        context = error.get("ctx", {})
        tag = str(context.get("tag"))
        expected = [t.strip().strip("'") for t in str(context.get("expected_tags")).split(",")]
        close = difflib.get_close_matches(tag, expected, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return (
            f"unknown {_discriminator(error)} `{tag}`{hint}; "
            f"use one of {context.get('expected_tags')}"
        )
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _validation_problems(error: ValidationError, positions: Positions) -> list[Problem]:
    problems = []
    for detail in error.errors():
        path, _ = _walk(tuple(detail["loc"]))
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, _discriminator(detail))
        problems.append(Problem(path, _message(detail), *positions.locate(path)))
    return problems


def _located(path: Path, message: str, positions: Positions) -> Problem:
    """The finding at its blueprint position, or at its own in another file."""
    if isinstance(message, Elsewhere):
        return Problem(path, str(message), message.line, message.column, file=message.file)
    return Problem(path, message, *positions.locate(path))


def display_name(path: FilePath) -> str:
    """The path as the user would type it: relative to the working directory if inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def load_blueprint(
    path: str | FilePath, *, name: str | None = None, enforce_budget: bool = True
) -> Platform:
    """Read, parse and validate a blueprint, raising `BlueprintError` with every problem."""
    return load_with_advisories(path, name=name, enforce_budget=enforce_budget)[0]


def load_with_advisories(
    path: str | FilePath, *, name: str | None = None, enforce_budget: bool = True
) -> tuple[Platform, list[Problem]]:
    """`load_blueprint`, and the sections' advisories (`Section.advise`) with their
    positions: likely mistakes that do not make the blueprint invalid."""
    path = FilePath(path)
    shown = name or display_name(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BlueprintError(
            shown, [Problem((), f"cannot read the file: {error.strerror}")]
        ) from None
    try:
        data, positions = parse_yaml(raw)
    except SourceError as error:
        raise BlueprintError(shown, [error.problem]) from None
    try:
        platform = Platform.model_validate(data)
    except ValidationError as error:
        raise BlueprintError(shown, _validation_problems(error, positions)) from None
    # Files the blueprint names (charts, values, manifests) are relative to it.
    platform.set_directory(path.resolve().parent)
    findings = check_platform(platform, enforce_budget=enforce_budget)
    if findings:
        raise BlueprintError(shown, [_located(p, message, positions) for p, message in findings])
    return platform, [_located(p, message, positions) for p, message in advise_platform(platform)]
