"""The metrics port and the pure planning/assembly of SLI readings.

A source turns SLOs into PromQL terms (`plan_terms`), evaluates them at one instant,
and folds the values back into one `Reading` per SLO (`assemble`). A source that reads
precomputed recording rules (e.g. Sloth's `slo:sli_error:ratio_rate5m`) only needs a
different `plan_terms`.
"""

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.budget import Rates
from bot.domain.slo import SLO, EventsSLI, RatioSLI
from bot.domain.status import Reading
from bot.metrics.promql import Term, TermError, TermValue, render

Progress = Callable[[int], None]  # called with the number of SLOs finished so far


@dataclass(frozen=True)
class EventCounts:
    """Events (not rates) for incident impact: during [start, end] and over the SLO window."""

    bad: float
    total: float
    window_bad: float
    window_total: float


class MetricsSource(Protocol):
    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        """Period and burn-window events (bad, total) of every SLO, all read at the instant `at`."""
        ...

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        """Bad and total events of one SLO during [start, end], and over its window."""
        ...


PERIOD = "period"
NO_BUCKET = "no histogram bucket at the threshold"  # the adapter adds the boundaries
NOISE = 1e-6  # a negative value this close to 0 is float arithmetic (total - good), read as 0


def plan_terms(
    slos: Sequence[SLO], windows: Sequence[int], at: datetime | None = None
) -> list[Term]:
    """Every expression needed for the SLOs' period and burn windows (seconds). A
    calendar SLO's period runs from its start to `at`, so it needs the instant."""
    terms: list[Term] = []
    for slo in slos:
        period = slo.period_seconds(at)
        spans: list[tuple[str | int, int]] = [(PERIOD, period), *((w, w) for w in windows)]
        for span, seconds in spans:
            terms.extend(_sli_terms(slo, span, seconds))
    return terms


def _sli_terms(slo: SLO, span: str | int, seconds: int) -> list[Term]:
    if isinstance(slo.sli, EventsSLI):
        return [
            Term((slo.name, span, "bad"), render(slo.sli.planned_bad.text, seconds)),
            Term((slo.name, span, "total"), render(slo.sli.planned_total.text, seconds)),
        ]
    return [Term((slo.name, span, "ratio"), render(slo.sli.error_ratio_query, seconds))]


def assemble(
    slos: Sequence[SLO],
    windows: Sequence[int],
    values: Mapping[Hashable, TermValue],
    at: datetime | None = None,
) -> dict[str, Reading]:
    """Fold evaluated term values back into one Reading per SLO (read at `at`)."""
    errors: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, TermError) and isinstance(key, tuple):
            errors.setdefault(key[0], value.message)
    for key, value in values.items():
        if isinstance(key, tuple) and len(key) == 3 and isinstance(value, float):
            problem = _unusable(key, value)
            if problem:
                errors.setdefault(key[0], problem)
    for slo in slos:
        if _bucket_missing(slo, [PERIOD, *windows], values):
            errors.setdefault(slo.name, no_bucket(slo))
    readings: dict[str, Reading] = {}
    for slo in slos:
        if slo.name in errors:
            readings[slo.name] = Reading(period=None, error=errors[slo.name])
            continue
        period = _rates(slo, PERIOD, values, slo.period_seconds(at))
        spans = {w: _rates(slo, w, values, w) for w in windows}
        too_many = _more_bad_than_total(slo, [period, *spans.values()])
        if too_many:
            readings[slo.name] = Reading(period=None, error=too_many)
        else:
            readings[slo.name] = Reading(period=period, windows=spans)
    return readings


def no_bucket(slo: SLO, boundaries: Sequence[str] | None = None) -> str:
    """Why a latency SLI has no figures: its threshold is none of the bucket boundaries."""
    assert isinstance(slo.sli, EventsSLI) and slo.sli.bucket is not None
    bucket = slo.sli.bucket
    said = f"{NO_BUCKET} {bucket.threshold:g} in {bucket.series}"
    if boundaries is None:
        return said
    if not boundaries:
        return f"{said}: the histogram has no buckets at all"
    return f"{said}; its boundaries: {', '.join(boundaries)}"


def _bucket_missing(
    slo: SLO, spans: Sequence[str | int], values: Mapping[Hashable, TermValue]
) -> bool:
    """A latency SLI whose total has events but whose bad query returned no series: the
    bucket at the threshold is missing (read as "no errors", that would be all good)."""
    if not isinstance(slo.sli, EventsSLI) or slo.sli.bucket is None:
        return False
    return any(
        values.get((slo.name, span, "bad")) is None
        and isinstance(values.get((slo.name, span, "total")), float)
        for span in spans
    )


def _more_bad_than_total(slo: SLO, spans: Sequence[Rates | None]) -> str | None:
    """Why the events make no ratio: more bad events than events at all, or None."""
    if not isinstance(slo.sli, EventsSLI):
        return None
    for rates in spans:
        if rates is not None and rates.bad > rates.total * (1 + NOISE) + NOISE:
            return (
                f"the error query counted more events ({rates.bad:g}) than the total query "
                f"({rates.total:g}); check that both count the same requests"
            )
    return None


def _unusable(key: tuple[Hashable, ...], value: float) -> str | None:
    """Why a term's value can make no budget (NaN, ±Inf, negative, a ratio above 1), or None.

    The one exception: a ratio SLI's NaN in a burn window is 0/0, no traffic (as Sloth's
    recorded ratios give without requests); in its period it is an error like any other.
    """
    _, span, role = key
    what = {"bad": "the error query", "total": "the total query"}.get(str(role), "the ratio query")
    shown = "NaN" if math.isnan(value) else f"{value:g}"
    if math.isnan(value) and role == "ratio" and span != PERIOD:
        return None
    if not math.isfinite(value) or value < -NOISE:
        return f"{what} returned {shown}, which is not a count of events (a division by zero?)"
    if role == "ratio" and value > 1 + 1e-9:
        return f"{what} returned {shown}; an error ratio lies between 0 and 1"
    return None


def _rates(
    slo: SLO, span: str | int, values: Mapping[Hashable, TermValue], seconds: int
) -> Rates | None:
    """The span's bad and total events over its `seconds` (a ratio SLI: its ratio over 1)."""
    if isinstance(slo.sli, RatioSLI):
        ratio = values.get((slo.name, span, "ratio"))
        if ratio is None or isinstance(ratio, TermError):
            return None
        # A ratio SLI has no event counts: NaN (0/0) in a burn window means no traffic.
        return Rates(0.0, 0.0) if math.isnan(ratio) else Rates(ratio, 1.0)
    bad = values.get((slo.name, span, "bad"))
    total = values.get((slo.name, span, "total"))
    if total is None or isinstance(total, TermError) or isinstance(bad, TermError):
        return None
    # No error series at all is the usual way of saying "no errors".
    bad = 0.0 if bad is None else max(0.0, bad)
    events = (
        slo.sli.planned_bad.kind.events(bad, seconds),
        slo.sli.planned_total.kind.events(max(0.0, total), seconds),
    )
    return Rates(*events)


def plan_event_terms(slo: SLO, span: int, window: int) -> list[Term]:
    """Bad and total terms over the last `span` seconds and over the SLO's `window` (a
    calendar SLO's: its period so far)."""
    if not isinstance(slo.sli, EventsSLI):
        raise ValueError(
            f"SLO {slo.name} has an error-ratio SLI without event counts; "
            "incident impact needs error_query and total_query"
        )
    sli = slo.sli
    return [
        Term("bad", render(sli.planned_bad.text, span)),
        Term("total", render(sli.planned_total.text, span)),
        Term("window_bad", render(sli.planned_bad.text, window)),
        Term("window_total", render(sli.planned_total.text, window)),
    ]


def fold_event_counts(
    slo: SLO, span: int, window: int, values: Mapping[Hashable, TermValue]
) -> EventCounts | str:
    """Event counts from the values (rates times their seconds, counts as they are), or the
    reason there are none."""
    for key, value in values.items():
        if isinstance(value, TermError):
            return value.message
        if isinstance(value, float):
            problem = _unusable((slo.name, key, "bad" if "bad" in str(key) else "total"), value)
            if problem:
                return f"SLO {slo.name}: {problem}"
    if values.get("total") is None or values.get("window_total") is None:
        return f"no data for SLO {slo.name} in that window"
    assert isinstance(slo.sli, EventsSLI)
    if slo.sli.bucket is not None and (
        values.get("bad") is None or values.get("window_bad") is None
    ):
        return no_bucket(slo)  # read as "no errors", the incident would cost nothing
    got = {k: v if isinstance(v, float) else 0.0 for k, v in values.items()}
    bad, total = slo.sli.planned_bad.kind, slo.sli.planned_total.kind
    return EventCounts(
        bad=bad.events(got["bad"], span),
        total=total.events(got["total"], span),
        window_bad=bad.events(got["window_bad"], window),
        window_total=total.events(got["window_total"], window),
    )
