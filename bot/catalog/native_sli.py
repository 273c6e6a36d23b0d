"""A native SLO's SLI and budgeting: Sloth's events and raw forms, a latency SLI, or a
threshold on a gauge; budgeted over events (occurrences) or over timeslices."""

from __future__ import annotations

from typing import Literal

from bot.catalog.errors import Problems, join
from bot.catalog.latency import LatencyModel, latency_sli
from bot.catalog.sloth import SLIModel, convert_sli
from bot.catalog.timeslices import (
    OPS,
    Slicing,
    ThresholdModel,
    TimesliceModel,
    check_threshold,
    slicing,
    threshold_slices,
)
from bot.domain.slo import SLI, EventsSLI

Budgeting = Literal["occurrences", "timeslices"]


class NativeSLIModel(SLIModel):
    """Sloth's events and raw forms, a latency SLI over a histogram, or a threshold."""

    latency: LatencyModel | None = None
    threshold: ThresholdModel | None = None  # budgeting: timeslices only


def native_sli(
    model: NativeSLIModel,
    budgeting: Budgeting,
    timeslice: TimesliceModel | None,
    file: str,
    path: str,
    subject: str,
    problems: Problems,
) -> tuple[SLI | None, Slicing | None]:
    """The SLI of the native SLO at `path` (None after recording a problem), and its
    slices under timeslice budgeting. A threshold SLI comes sliced; an events SLI is
    sliced by the catalog's assembly (`ratio_slices`), after its rates are read as counts."""
    where = join(path, "sli")
    given = [k for k in ("events", "raw", "latency", "threshold") if getattr(model, k)]
    if len(given) > 1 or (not given and model.plugin is None):
        problems.add(file, where, "needs exactly one of events, raw, latency or threshold")
        return None, None
    if budgeting == "occurrences":
        if model.threshold is not None:
            message = "a threshold counts good timeslices: give budgeting: timeslices"
            problems.add(file, join(where, "threshold"), message)
            return None, None
        if timeslice is not None:
            message = "timeslice needs budgeting: timeslices (the default counts events)"
            problems.add(file, join(path, "timeslice"), message)
            return None, None
        return _sli(model, file, where, subject, problems), None
    slices = slicing(timeslice, model.threshold is not None, file, path, problems)
    if model.threshold is not None:
        if model.threshold.op not in OPS:
            ops = ", ".join(OPS)
            message = f"must be one of {ops}, got {model.threshold.op!r}"
            problems.add(file, join(where, "threshold.op"), message)
            return None, None
        error = check_threshold(model.threshold.query, model.threshold.value)
        if error:
            problems.add(file, join(where, "threshold"), f"{subject}: {error}")
            return None, None
        if slices is None:
            return None, None
        return threshold_slices(model.threshold, slices.size), slices
    sli = _sli(model, file, where, subject, problems)
    if sli is not None and not isinstance(sli, EventsSLI):
        message = "timeslices need event counts: use events, latency or threshold"
        problems.add(file, join(where, "raw"), message)
        return None, None
    if sli is None or slices is None:
        return None, None
    return sli, slices


def _sli(
    model: NativeSLIModel, file: str, path: str, subject: str, problems: Problems
) -> SLI | None:
    if model.latency is not None:
        return latency_sli(model.latency, file, join(path, "latency"), subject, problems)
    return convert_sli(model, file, path, subject, problems)
