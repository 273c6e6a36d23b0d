"""Planning which terms of an evaluation are composed from hours, and folding them. Pure."""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.slo import SLO, EventsSLI, QueryKind
from bot.metrics.hourly import HOUR, HourlyCache, Split, combine, split_window
from bot.metrics.promql import Term, TermError, TermValue, render
from bot.metrics.source import PERIOD


@dataclass(frozen=True)
class Composed:
    """One composed term: its key, the cut of its window, and its hourly expression."""

    key: Hashable
    window: int
    split: Split
    hourly_expr: str
    kind: QueryKind  # of the query: how its pieces become events


@dataclass
class Composition:
    direct: list[Term] = field(default_factory=list)  # evaluated at the instant as they are
    tails: list[Term] = field(default_factory=list)  # tail pieces, at the instant
    heads: dict[int, list[Term]] = field(default_factory=dict)  # head pieces by their instant
    hours: dict[str, range] = field(default_factory=dict)  # hourly expression -> hour ends
    kinds: dict[str, QueryKind] = field(default_factory=dict)  # hourly expression -> its kind
    composed: list[Composed] = field(default_factory=list)
    errors: dict[str, TermError] = field(default_factory=dict)  # hourly expression -> error

    def combine(
        self, values: Mapping[Hashable, TermValue], cache: HourlyCache
    ) -> dict[Hashable, TermValue]:
        """Each composed term's rate over its window from its head, hours and tail."""
        out: dict[Hashable, TermValue] = {}
        for c in self.composed:
            error = self.errors.get(c.hourly_expr)
            hours = None if error else cache.events(c.hourly_expr, c.split.hours)
            pieces = (values.get(("head", c.key)), hours, values.get(("tail", c.key)))
            out[c.key] = error or combine(c.split, c.window, c.kind, pieces)
        return out


def plan_composition(slos: Sequence[SLO], terms: Sequence[Term], at: float) -> Composition:
    """Split the terms of `plan_terms` into direct ones and ones composed from hours."""
    by_name = {s.name: s for s in slos}
    instant = datetime.fromtimestamp(at, UTC)
    plan = Composition()
    for term in terms:
        key: tuple[str, str | int, str] = term.key  # type: ignore[assignment]
        name, span, kind = key
        slo = by_name[name]
        window = slo.period_seconds(instant) if span == PERIOD else int(span)
        split = split_window(at, window) if isinstance(slo.sli, EventsSLI) else None
        if split is None or not isinstance(slo.sli, EventsSLI):
            plan.direct.append(term)
            continue
        bad = kind == "bad"
        planned = slo.sli.planned_bad if bad else slo.sli.planned_total
        template, query_kind = planned.text, planned.kind
        hourly = render(template, HOUR)
        plan.kinds[hourly] = query_kind
        known = plan.hours.get(hourly)
        if known is None or len(split.hours) > len(known) or split.hours.start < known.start:
            plan.hours[hourly] = _union(known, split.hours)
        plan.composed.append(Composed(term.key, window, split, hourly, query_kind))
        plan.tails.append(Term(("tail", term.key), render(template, split.tail)))
        if split.head:
            plan.heads.setdefault(split.head_end, []).append(
                Term(("head", term.key), render(template, split.head))
            )
    return plan


def _union(known: range | None, hours: range) -> range:
    if known is None:
        return hours
    return range(min(known.start, hours.start), max(known.stop, hours.stop), HOUR)
