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

DISCRIMINATORS = ("kind", "provider", "type")
"""The fields blueprint unions are discriminated on (`cluster.kind`, `objectStore.provider`,
`models[].weights.type`, `monitoring.prometheus.type`)."""

_NONE = type(None)


def _plain(annotation: Any) -> Any:
    """`annotation` without `Annotated` and without an optional's `None`."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not _NONE]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _members(annotation: Any) -> list[Any] | None:
    """The alternatives of a union (Pydantic puts one of their tags in an error's path), or
    None when `annotation` is no union."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_plain(arg) for arg in typing.get_args(annotation) if arg is not _NONE]
    return None


def _tagged_member(members: list[Any], tag: str) -> Any:
    """The union member whose tag is `tag`: a discriminated member (`kind: eks`), a model by
    class name, or None for a plain type (`float`, `int`, `str`)."""
    for member in members:
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            continue
        if member.__name__ == tag:
            return member
        for name in DISCRIMINATORS:
            field = member.model_fields.get(name)
            if field is not None and tag in typing.get_args(field.annotation):
                return member
    return None


def _walk(path: Path) -> tuple[Path, type[BaseModel] | None]:
    """`path` without Pydantic's union tags (`spec.cluster.eks.region` ->
    `spec.cluster.region`, `spec.budget.monthlyUsd.float` -> `spec.budget.monthlyUsd`),
    and the blueprint model class it points into."""
    annotation: Any = Platform
    clean: list[str | int] = []
    for part in path:
        annotation = _plain(annotation)
        members = _members(annotation)
        if members is not None and isinstance(part, str):
            # A union's tag is no key of the blueprint: leave it out of the path.
            annotation = _tagged_member(members, part)
            continue
        clean.append(part)
        origin = typing.get_origin(annotation)
        if origin in (list, tuple, dict):
            arguments = typing.get_args(annotation)
            annotation = arguments[-1] if arguments else None
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = next(
                (f for n, f in annotation.model_fields.items() if (f.alias or n) == part), None
            )
            annotation = field.annotation if field is not None else None
            continue
        annotation = None
    model = _plain(annotation)
    return tuple(clean), model if isinstance(model, type) and issubclass(model, BaseModel) else None


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
    # A constraint checked after a shared validator (`Labels` with `min_length`) says so.
    return message.removeprefix("Value error, ").replace(" after validation", "")


def _validation_problems(error: ValidationError, positions: Positions) -> list[Problem]:
    """One problem per field: a value that fits no alternative of a union (`float | int`)
    fails each of them, and only the first alternative's message is kept."""
    problems: dict[Path, Problem] = {}
    for detail in error.errors():
        path, _ = _walk(tuple(detail["loc"]))
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, _discriminator(detail))
        if path not in problems:
            problems[path] = Problem(path, _message(detail), *positions.locate(path))
    return list(problems.values())


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
