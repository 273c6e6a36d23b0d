"""Telling the format of each YAML document in a catalog file, and handing it to its parser.

A file may hold several `---` documents, and OpenSLO files may hold one YAML list of
objects; each document is read on its own, so one file may mix Sloth and OpenSLO objects.
Problems inside a document are prefixed with its place: `documents[2]`, `[3]` (an item of
a top-level list) or both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.catalog.errors import Problems, join
from bot.catalog.fragment import Fragment
from bot.catalog.native import parse_native
from bot.catalog.openslo import parse_openslo
from bot.catalog.pyrra import PYRRA_API, parse_pyrra
from bot.catalog.sloth import SLOTH_API, SLOTH_VERSION, parse_sloth

_NATIVE_KEYS = {
    "prometheus", "teams", "services", "slos", "incidents", "gate", "alerts", "admins",
    "actions", "platform", "include",
}  # fmt: skip
_KEY_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}")
Item = tuple[str, Any]  # (path prefix of the document, the document)
Parser = Callable[[str, list[Item], Problems], Fragment]

FORMATS = (
    "a budgetbot catalog (teams:, services:, slos:)",
    f"a Sloth file (version: {SLOTH_VERSION}, or apiVersion: {SLOTH_API})",
    "an OpenSLO file (apiVersion: openslo/v1 or openslo/v1alpha)",
    f"a Pyrra resource (apiVersion: {PYRRA_API})",
)


def split_formats(file: str, documents: list[Any], problems: Problems) -> list[Fragment]:
    """One fragment per format found in the file's documents."""
    several = len(documents) > 1
    groups: dict[str, list[Item]] = {}
    for index, document in enumerate(documents):
        prefix = join("documents", index) if several else ""
        if isinstance(document, list):
            _list(file, prefix, document, groups, problems)
        else:
            _one(file, prefix, document, groups, problems)
    native = groups.pop("native", [])
    if len(native) > 1 or (native and groups):
        message = (
            f"holds {len(documents)} YAML documents; only Sloth, OpenSLO and Pyrra files "
            "may hold several (a budgetbot catalog is one document; combine files with include:)"
        )
        problems.add(file, "", message)
        native = []
    parsers: dict[str, Parser] = {"sloth": parse_sloth, "openslo": parse_openslo}
    parsers["pyrra"] = parse_pyrra
    fragments = [parsers[name](file, items, problems) for name, items in groups.items()]
    if native:
        fragments.insert(0, parse_native(file, native[0][1], problems))
    return fragments


def _list(
    file: str, prefix: str, items: list[Any], groups: dict[str, list[Item]], problems: Problems
) -> None:
    """A top-level YAML list: the form of OpenSLO's own examples (a list of objects)."""
    if not items:
        problems.add(file, prefix, "is an empty list; expected " + "; or ".join(FORMATS))
    for index, item in enumerate(items):
        where = f"{prefix}[{index}]"
        if _format(item) in ("native", "scalar"):
            message = (
                "is not an OpenSLO object (apiVersion: openslo/v1, kind: SLO, ...): a "
                "top-level list is read as a list of OpenSLO objects; a budgetbot catalog, "
                "Sloth and Pyrra files are mappings"
            )
            problems.add(file, where, message)
            continue
        _one(file, where, item, groups, problems)


def _one(
    file: str, prefix: str, document: Any, groups: dict[str, list[Item]], problems: Problems
) -> None:
    kind = _format(document)
    if kind == "unknown":
        problems.add(file, join(prefix, "apiVersion"), _unknown_api(document))
    elif kind == "unlike":
        problems.add(file, prefix, _unlike(document))
    elif kind == "scalar":  # never quoted: the file may be anything (include: [/etc/passwd])
        shown = type(document).__name__.replace("str", "text").replace("NoneType", "nothing")
        message = f"is no catalog or SLO file: its content is {shown}, not a mapping; "
        problems.add(file, prefix, message + "budgetbot reads " + "; ".join(FORMATS))
    elif kind == "rules":
        message = (
            "is a Prometheus rule file (groups:), not an SLO file; include the SLO files that "
            "generate such rules (Sloth, Pyrra, OpenSLO) instead"
        )
        problems.add(file, prefix, message)
    else:
        groups.setdefault(kind, []).append((prefix, document))


def _format(document: Any) -> str:
    """ "native", "sloth", "openslo", "pyrra", "rules" or "unknown"."""
    if not isinstance(document, dict):
        return "scalar"
    api = document.get("apiVersion")
    if isinstance(api, str):
        if api.startswith("openslo/"):
            return "openslo"
        if api == SLOTH_API:
            return "sloth"
        if api.startswith("pyrra.dev/"):
            return "pyrra"
        return "unknown"
    if "version" in document:
        return "sloth"
    if "groups" in document and not _NATIVE_KEYS & set(document):
        return "rules"
    if (document and not _NATIVE_KEYS & set(document)) or {"kind", "spec"} <= set(document):
        return "unlike"
    if "service" in document and "slos" in document:
        return "unlike"  # a Sloth file without its version
    return "native"


def _unlike(document: dict[Any, Any]) -> str:
    """Why a mapping is none of the formats, and what it looks like instead."""
    # Only key-like keys are shown: the file may be anything (include: [/etc/shadow]).
    keys = ", ".join(sorted(k for k in map(str, document) if _KEY_LIKE.fullmatch(k))[:8])
    if {"kind", "spec"} <= set(document):
        looks = "a Kubernetes resource without apiVersion"
    elif "service" in document and "slos" in document:
        looks = f"a Sloth file without version: {SLOTH_VERSION}"
    else:
        looks = f"none of them (its keys: {keys})" if keys else "none of them"
    return f"is no known format: it looks like {looks}; budgetbot reads " + "; ".join(FORMATS)


def _unknown_api(document: dict[str, Any]) -> str:
    api = document.get("apiVersion")
    kind = document.get("kind")
    if kind == "PrometheusRule":
        return (
            "is a PrometheusRule resource (recording and alerting rules), not an SLO file; "
            "include the SLO files that generate such rules (Sloth, Pyrra, OpenSLO) instead"
        )
    if (
        isinstance(api, str)
        and api.lower().startswith("openslo")
        and not api.startswith("openslo/")
    ):
        return f"unsupported apiVersion {api!r}: did you mean openslo/v1?"
    shown = f"unsupported apiVersion {api!r}" + (f" (kind {kind!r})" if kind else "")
    return f"{shown}; budgetbot reads " + "; ".join(FORMATS)
