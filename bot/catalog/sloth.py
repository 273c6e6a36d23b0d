"""Sloth SLO files as teams keep them: prometheus/v1 specs and PrometheusServiceLevel resources.

A file may hold several `---` documents, each one or the other. What is read, ignored and
refused (docs/catalog.md, Sloth):
- read: service, labels (any scalar value, stringified as Sloth does), slos[]: name,
  objective, description, labels, sli.events / sli.raw; the resource's metadata.labels
  (for its team) and its spec in camelCase (errorQuery, totalQuery, errorRatioQuery).
- ownership: the SLO's labels.team, else its labels.owner, else the same in the file's
  labels (the resource: spec.labels, then metadata.labels), else the include's team.
- ignored: alerting (budgetbot does its own burn-rate alerting), slo_plugins / sloPlugins /
  plugins chains (noted on each SLO), metadata.name/namespace/annotations, status.
- refused: sli.plugin (write the queries out), versions other than prometheus/v1, kinds
  other than PrometheusServiceLevel.
The period is not in the file: 30d (Sloth's default) unless the include gives a window.
"""

from __future__ import annotations

from typing import Any

from bot.catalog.errors import Problems, join
from bot.catalog.fragment import Fragment
from bot.catalog.sloth_k8s import read_resource
from bot.catalog.sloth_sli import SLIModel, convert_sli
from bot.catalog.sloth_slos import (
    SLOTH_API,
    SLOTH_KIND,
    SLOTH_VERSION,
    SLOTH_WINDOW,
    SPEC_FORM,
    read_spec,
)

__all__ = ["SLOTH_API", "SLOTH_VERSION", "SLOTH_WINDOW", "SLIModel", "convert_sli", "parse_sloth"]


def parse_sloth(file: str, items: list[tuple[str, Any]], problems: Problems) -> Fragment:
    """The SLOs of a Sloth file's documents (each with its path prefix), named <service>-<slo>."""
    fragment = Fragment(file)
    for prefix, document in items:
        if not isinstance(document, dict):
            problems.add(file, prefix, "must be a mapping")
        elif document.get("apiVersion") == SLOTH_API:
            read_resource(fragment, prefix, document, problems)
        elif document.get("version") != SLOTH_VERSION:
            problems.add(file, join(prefix, "version"), _version_message(document.get("version")))
        else:
            read_spec(fragment, prefix, document, SPEC_FORM, [], problems)
    return fragment


def _version_message(version: Any) -> str:
    """Which versions Sloth has, for a spec that names another."""
    if version is None:
        return f"is required: {SLOTH_VERSION!r}"
    hint = ""
    if isinstance(version, str) and version.startswith("openslo/"):
        hint = f"; an OpenSLO file says apiVersion: {version}"
    return (
        f"must be {SLOTH_VERSION!r}, got {version!r}: Sloth has one spec version, "
        f"{SLOTH_VERSION}, and one Kubernetes resource, apiVersion: {SLOTH_API} with "
        f"kind: {SLOTH_KIND}{hint}"
    )
