"""Sloth's Kubernetes resource: apiVersion sloth.slok.dev/v1, kind PrometheusServiceLevel."""

from __future__ import annotations

from typing import Any

from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment
from bot.catalog.sloth_labels import label_values
from bot.catalog.sloth_slos import RESOURCE_FORM, SLOTH_API, SLOTH_KIND, read_spec


class MetadataModel(StrictModel):
    name: str | None = None
    namespace: str | None = None
    labels: dict[Any, Any] | None = None  # values stringified; a team label ranks below spec's
    annotations: dict[Any, Any] | None = None
    # The rest of Kubernetes' ObjectMeta, as `kubectl get -o yaml` writes it: accepted, ignored.
    generateName: Any = None
    uid: Any = None
    resourceVersion: Any = None
    generation: Any = None
    creationTimestamp: Any = None
    deletionTimestamp: Any = None
    deletionGracePeriodSeconds: Any = None
    ownerReferences: Any = None
    finalizers: Any = None
    managedFields: Any = None
    selfLink: Any = None


class ResourceModel(StrictModel):
    apiVersion: str
    kind: str
    metadata: Any = None  # validated on its own: a typo there spoils nothing else
    spec: Any = None
    status: Any = None  # written by Sloth's controller: ignored


def read_resource(
    fragment: Fragment, prefix: str, document: dict[str, Any], problems: Problems
) -> None:
    """Add the SLOs of one PrometheusServiceLevel resource (its spec in camelCase)."""
    # Ownership: spec.labels win over metadata.labels. spec.labels are what Sloth puts on
    # the SLOs' rules and alerts (the labels that route them, as in a prometheus/v1 file);
    # metadata.labels only label the Kubernetes object (Sloth copies them onto the
    # generated PrometheusRule), so they count only where spec.labels name no team/owner.
    file = fragment.file
    kind = document.get("kind")
    if kind != SLOTH_KIND:
        problems.add(file, join(prefix, "kind"), _kind_message(kind))
        return
    resource = validate(ResourceModel, document, file, prefix, problems, salvage=True)
    if resource is None:
        return
    meta_path = join(prefix, "metadata")
    metadata = validate(MetadataModel, resource.metadata, file, meta_path, problems, salvage=True)
    labels_path = join(meta_path, "labels")
    labels = label_values(metadata.labels if metadata else None, file, labels_path, problems)
    if "spec" not in document:
        problems.add(file, join(prefix, "spec"), "is required")
        return
    outer = [(labels, labels_path)]
    read_spec(fragment, join(prefix, "spec"), resource.spec, RESOURCE_FORM, outer, problems)


def _kind_message(kind: Any) -> str:
    """What is wrong with a resource's kind, and what kind is expected."""
    expected = f"apiVersion {SLOTH_API} SLOs are kind: {SLOTH_KIND}"
    if kind is None:
        return f"is required: {expected}"
    if kind == "AlertWindows":
        return (
            "kind 'AlertWindows' holds Sloth's alert windows, not SLOs: budgetbot does its "
            "own burn-rate alerting, so leave this file out of include: (for the SLO period, "
            "give the include of the SLO files a window, e.g. {path: ..., window: 7d})"
        )
    if kind == f"{SLOTH_KIND}List":
        return f"lists are not read: {expected}; write each one as a --- document of its own"
    return f"unknown kind {kind!r}: {expected}"
