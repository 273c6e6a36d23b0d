"""Pyrra pyrra.dev/v1alpha1 ServiceLevelObjective resources."""

from __future__ import annotations

from typing import Any

from bot.catalog.errors import Problems
from bot.catalog.fragment import Fragment

PYRRA_API = "pyrra.dev/v1alpha1"


def parse_pyrra(file: str, items: list[tuple[str, Any]], problems: Problems) -> Fragment:
    """The SLOs of a file's Pyrra resources, each given with its path prefix."""
    for prefix, _document in items:
        problems.add(file, prefix, "Pyrra resources are not read yet")
    return Fragment(file)
