"""Catalog problems: where (file, path inside the YAML) and what, collected rather than raised."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the catalog; path is like "slos[3].objective" ("" = whole file)."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        if not self.path:
            return f"{self.file}: {self.message}"
        return f"{self.file}: {self.path}: {self.message}"


class CatalogError(Exception):
    """The catalog cannot be loaded; .problems lists everything found wrong, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StrictModel(BaseModel):
    """Base of the catalog's YAML schemas: unknown keys are errors and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Problems:
    """An append-only list of problems, shared by all the parsers of one load."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, path: str, message: str) -> None:
        """Record one problem."""
        self.items.append(Problem(file, path, message))

    def __len__(self) -> int:
        return len(self.items)


def join(prefix: str, key: str | int) -> str:
    """Extend a path: join("slos", 3) == "slos[3]", join("teams", "a") == "teams.a"."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def validate(
    model: type[M], data: Any, file: str, path: str, problems: Problems, *, salvage: bool = False
) -> M | None:
    """Validate data against a pydantic model; on failure record readable problems, return None.

    With salvage, the keys that failed are dropped and the rest validated again, so that a
    typo in one top-level section does not hide the problems of the others.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add(file, path, f"must be a mapping, got {_show(data)}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        for error in errors:
            where, message = _describe(model, error)
            problems.add(file, _extend(path, where), message)
    if not salvage:
        return None
    failed = {error["loc"][0] for error in errors if error["loc"]}
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in failed})
    except ValidationError:
        return None


def _extend(prefix: str, loc: tuple[str | int, ...]) -> str:
    for key in loc:
        prefix = join(prefix, key)
    return prefix


def _describe(model: type[BaseModel], error: Any) -> tuple[tuple[str | int, ...], str]:
    """Turn one pydantic error into (location, message) in the catalog's own words."""
    loc = tuple(error["loc"])
    kind = error["type"]
    given = error.get("input")
    if loc and loc[-1] == "[key]":
        key = loc[-2] if len(loc) > 1 else given
        if kind == "literal_error":
            return loc[:-2], f"keys must be {error['ctx']['expected']}, got {_show(key)}"
        return loc[:-2], f"keys must be strings, got {_show(key)}"
    if kind == "missing":
        return loc, "is required"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        key = str(loc[-1])
        close = difflib.get_close_matches(key, allowed, n=1) or [
            name for name in allowed if name.startswith(key) or key.startswith(name)
        ]
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)
        return loc, f"unknown key ({hint})"
    wanted = {
        "string_type": "must be a string",
        "float_type": "must be a number",
        "int_type": "must be a whole number",
        "bool_type": "must be true or false",
        "dict_type": "must be a mapping",
        "model_type": "must be a mapping",
        "list_type": "must be a list",
    }.get(kind)
    if wanted:
        return loc, f"{wanted}, got {_show(given)}"
    if kind == "literal_error":
        return loc, f"must be {error['ctx']['expected']}, got {_show(given)}"
    message = str(error["msg"])
    return loc, message[:1].lower() + message[1:]


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a mapping at loc (relative to model) accepts, following the type annotations."""
    current: Any = model
    for key in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == key), None
            )
            current = field.annotation if field else None
        else:
            args = typing.get_args(current)
            current = args[-1] if args else None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip "X | None" down to X."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _show(value: Any) -> str:
    """A short rendering of a YAML value for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
