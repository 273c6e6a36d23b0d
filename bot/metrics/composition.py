"""Planning which terms of an evaluation are composed from pieces, and folding them. Pure.

A window of a day or more, (t - w, t], is read as pieces that add up to it:
- recorded hours (bot.metrics.recorded), where Prometheus holds them;
- whole clock hours (bot.metrics.hourly) for each stretch left that spans two hours or
  more: read once by a range query and, in a running process, kept for later evaluations;
- raw pieces: the query itself over a stretch, evaluated at the stretch's end.
So a cold evaluation reads each sample of the window about once, and a later one (or one
with recorded hours) reads only the raw pieces, each under about an hour of samples.
All instants here are Unix milliseconds, but the clock hours' (seconds).
"""

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.exclusions import excluded
from bot.domain.slo import SLO, EventsQuery, EventsSLI, QueryKind
from bot.metrics.hourly import COMPOSE_FROM, HOUR, KEEP_HOURS, HourlyCache, whole_hours
from bot.metrics.promql import Term, TermError, TermValue, render, render_ms
from bot.metrics.recorded import Cover, cover, fingerprint
from bot.metrics.source import NOISE, PERIOD

MAX_GAPS = 8  # a window whose recorded hours leave more stretches is read without them
Recorded = Mapping[tuple[str, str], Sequence[tuple[int, float]]]  # (SLO, fingerprint) -> samples


@dataclass(frozen=True)
class Windowed:
    """A term over the `seconds` before the instant; `query` None: never composed.
    `excluded`: the stretches of its window (Unix ms) whose events count for nothing."""

    term: Term
    slo: str
    query: EventsQuery | None
    seconds: int
    excluded: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Piece:
    end: int  # ms: evaluated at this instant
    length: int  # ms of the stretch before it


@dataclass(frozen=True)
class Composed:
    """One composed term: what recorded hours gave, its clock-hour runs, its raw pieces."""

    key: Hashable
    seconds: int
    kind: QueryKind
    hourly_expr: str
    recorded: float | None
    hours: tuple[range, ...]
    pieces: tuple[Piece, ...]

    @property
    def read_recorded(self) -> bool:
        """Some of the window came from recorded hours."""
        return self.recorded is not None


@dataclass
class Composition:
    direct: list[Windowed] = field(default_factory=list)  # read at the instant as they are
    pieces: dict[int, list[Term]] = field(default_factory=dict)  # raw pieces by their end (ms)
    hours: dict[str, range] = field(default_factory=dict)  # hourly expression -> hour ends
    kinds: dict[str, QueryKind] = field(default_factory=dict)  # hourly expression -> its kind
    composed: list[Composed] = field(default_factory=list)
    errors: dict[str, TermError] = field(default_factory=dict)  # hourly expression -> error

    def fill(
        self,
        cache: HourlyCache,
        fetch: Callable[[list[Term], range], Mapping[Hashable, list[float] | TermError]],
    ) -> None:
        """Read the hourly events the cache lacks: one range query batch (`fetch`) per
        missing run of hours. An hour that is no count of events is the window's error."""
        wanted: dict[range, set[str]] = {}
        for expr, hours in self.hours.items():
            for run in cache.missing(expr, hours):
                wanted.setdefault(run, set()).add(expr)
        for run, exprs in wanted.items():
            for key, values in fetch([Term(e, e) for e in sorted(exprs)], run).items():
                expr = str(key)
                if isinstance(values, TermError):
                    self.errors[expr] = values
                    continue
                bad = next((v for v in values if math.isinf(v) or v < -NOISE), None)  # NaN: none
                if bad is not None:
                    self.errors[expr] = TermError(f"an hour of the window returned {bad:g}")
                else:
                    events = [self.kinds[expr].events(v, HOUR) for v in values]
                    cache.store(expr, run, events)

    def combine(
        self, values: Mapping[Hashable, TermValue], cache: HourlyCache | None
    ) -> dict[Hashable, TermValue]:
        """Each composed term's value over its window, in its query's kind."""
        return {c.key: self._value(c, values, cache) for c in self.composed}

    def _value(
        self, c: Composed, values: Mapping[Hashable, TermValue], cache: HourlyCache | None
    ) -> TermValue:
        parts = [] if c.recorded is None else [c.recorded]
        for run in c.hours:
            error = self.errors.get(c.hourly_expr)
            if error:
                return error
            events = cache.events(c.hourly_expr, run) if cache else None
            if events is not None:
                parts.append(events)
        for i, piece in enumerate(c.pieces):
            value = values.get(("piece", c.key, i))
            if isinstance(value, TermError):
                return value
            if isinstance(value, float):
                parts.append(c.kind.events(value, piece.length / 1000))
        bad = next((p for p in parts if not math.isfinite(p) or p < -NOISE), None)
        if bad is not None:  # never dropped, never added as if it were events
            return TermError(f"a piece of the window returned {bad:g}")
        if not parts:
            return None
        return sum(parts) / c.seconds if c.kind is QueryKind.RATE else sum(parts)


def windowed(slos: Sequence[SLO], terms: Sequence[Term], at: datetime) -> list[Windowed]:
    """The terms of `plan_terms`, keyed (SLO, span, role), with their queries and seconds."""
    by_name = {s.name: s for s in slos}
    keyed = []
    for term in terms:
        key: tuple[str, str | int, str] = term.key  # type: ignore[assignment]
        name, span, role = key
        slo = by_name[name]
        keyed.append((term, slo, role, slo.period_seconds(at) if span == PERIOD else int(span)))
    return _with_stretches(keyed, at)


def event_windowed(
    slo: SLO, terms: Sequence[Term], span: int, window: int, end: datetime
) -> list[Windowed]:
    """The terms of `plan_event_terms` ending at `end`: bad and total over `span`,
    window_* over `window`."""
    keyed = [(t, slo, str(t.key), window if "window" in str(t.key) else span) for t in terms]
    return _with_stretches(keyed, end)


def _with_stretches(keyed: Sequence[tuple[Term, SLO, str, int]], at: datetime) -> list[Windowed]:
    """The terms (term, SLO, role, seconds) with their excluded stretches: worked out once
    per SLO over its longest term, then cut to each term's window."""
    longest: dict[str, int] = {}
    for _, slo, _, seconds in keyed:
        longest[slo.name] = max(longest.get(slo.name, 0), seconds)
    stretches: dict[str, list[tuple[int, int]]] = {}
    for _, slo, _, _ in keyed:
        if slo.exclusions and slo.name not in stretches:
            start = at - timedelta(seconds=longest[slo.name])
            found = excluded(slo.exclusions, slo.name, slo.service, slo.team, start, at)
            stretches[slo.name] = [(_ms(a), _ms(b)) for a, b in found]
    out = []
    for term, slo, role, seconds in keyed:
        opens = _ms(at) - seconds * 1000
        mine = tuple((max(a, opens), b) for a, b in stretches.get(slo.name, ()) if b > opens)
        out.append(Windowed(term, slo.name, _query(slo, role), seconds, mine))
    return out


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _query(slo: SLO, role: str) -> EventsQuery | None:
    if not isinstance(slo.sli, EventsSLI):
        return None
    return slo.sli.planned_bad if "bad" in role else slo.sli.planned_total


def composable(item: Windowed) -> bool:
    return item.query is not None and COMPOSE_FROM <= item.seconds <= KEEP_HOURS * HOUR


def plan_composition(
    items: Sequence[Windowed], at_ms: int, *, recorded: Recorded | None, hourly: bool
) -> Composition:
    """Split the terms into direct ones and ones composed from pieces. `recorded`: the
    recorded hours read for the evaluation (None: none are read); hourly: clock hours
    may be read by range queries (and kept)."""
    plan = Composition()
    for item in items:
        if item.query is None or not composable(item) or (recorded is None and not hourly):
            plan.direct.append(item)
            continue
        query = item.query
        start = at_ms - item.seconds * 1000
        got = Cover(None, ((start, at_ms),))
        if recorded is not None:
            found = cover(recorded.get((item.slo, fingerprint(query)), ()), start, at_ms)
            got = found if len(found.gaps) <= MAX_GAPS else got
        if got.events is None and not hourly:  # one raw piece: the term as it is
            plan.direct.append(item)
            continue
        hourly_expr = render(query.text, HOUR)
        hours: list[range] = []
        pieces: list[Piece] = []
        for g0, g1 in got.gaps:
            cut = whole_hours(-(-g0 // 1000), g1 // 1000, at_ms // 1000) if hourly else None
            if cut is None:
                pieces.append(Piece(g1, g1 - g0))
                continue
            first, last = cut
            if first * 1000 > g0:
                pieces.append(Piece(first * 1000, first * 1000 - g0))
            hours.append(range(first + HOUR, last + HOUR, HOUR))
            if g1 > last * 1000:
                pieces.append(Piece(g1, g1 - last * 1000))
        if hours:
            plan.kinds[hourly_expr] = query.kind
            plan.hours[hourly_expr] = _union(plan.hours.get(hourly_expr), *hours)
        for i, piece in enumerate(pieces):
            plan.pieces.setdefault(piece.end, []).append(
                Term(("piece", item.term.key, i), render_ms(query.text, piece.length))
            )
        plan.composed.append(
            Composed(
                item.term.key,
                item.seconds,
                query.kind,
                hourly_expr,
                got.events,
                tuple(hours),
                tuple(pieces),
            )
        )
    return plan


def _union(known: range | None, *runs: range) -> range:
    """The one run of hour ends that holds `known` and every run (the cache keeps one)."""
    spans = [r for r in (known, *runs) if r]
    return range(min(r.start for r in spans), max(r.stop for r in spans), HOUR)
