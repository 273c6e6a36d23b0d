"""Queries of the shared shape read together, each sample once. Pure.

The terms whose query is `sum(increase(metric{matchers}[w]))` (bot.domain.scans) are grouped
by metric and by their SLO's longest window. A group's windows w1 < w2 < ... cut the time
before the instant into segments (0, w1], (w1, w2], ...; each segment is one query,
`sum by (<the group's matcher labels>) (increase(metric{<what they share>}[wk - wk-1]
offset wk-1))`, so each series is read once over the group's longest window, its bad and
total queries alike. A term's value is the sum, over the segments inside its window, of
the series its matchers select; no such series at all is no series, as its own query says.
Segment boundaries share their samples, so the increases add up (bot.metrics.hourly).
"""

import json
import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.domain.durations import format_duration
from bot.domain.scans import Scan
from bot.metrics.composition import Windowed
from bot.metrics.errors import QueryRejected
from bot.metrics.promql import MalformedResult, Term, TermValue, sample

_SPECIAL = re.compile(r"[\\.+*?()|\[\]{}^$]")
Series = Sequence[tuple[Mapping[str, str], float]]  # one segment's answer: labels, value


@dataclass(frozen=True)
class Segment:
    """One query of a group: the events of (offset, offset + length] seconds ago."""

    group: int
    index: int
    expr: str


@dataclass
class Group:
    scans: list[tuple[Hashable, Scan, int]] = field(default_factory=list)  # key, scan, seconds
    windows: list[int] = field(default_factory=list)  # ascending: the segments' ends
    index_label: str | None = None  # a label every scan of the group fixes with "="


@dataclass
class SharedReads:
    groups: list[Group] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)  # what they answer, to read alone instead

    def read(
        self,
        query: Callable[[str], Sequence[Mapping[str, object]]],
        alone: Callable[[list[Term]], dict[Hashable, TermValue]],
        concurrency: int,
    ) -> dict[Hashable, TermValue]:
        """Every term's value: the segments queried concurrently (`query`), or the terms
        read `alone` when the store refuses a segment or answers one with the same series
        twice (which no store's `sum by` gives: each term is then judged on its own)."""
        if not self.segments:
            return {}
        workers = max(1, min(concurrency, len(self.segments)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                got = list(pool.map(lambda s: parse_series(query(s.expr)), self.segments))
            except QueryRejected:
                return alone(self.terms)
        if any(twice(answer) for answer in got):
            return alone(self.terms)
        return self.fold({(s.group, s.index): a for s, a in zip(self.segments, got, strict=True)})

    def fold(self, answers: Mapping[tuple[int, int], Series]) -> dict[Hashable, TermValue]:
        """Each term's value from the segments' answers, keyed (group, index)."""
        out: dict[Hashable, TermValue] = {}
        for g, group in enumerate(self.groups):
            indexed = [_index(answers.get((g, i), ()), group.index_label)
                       for i in range(len(group.windows))]  # fmt: skip
            for key, scan, seconds in group.scans:
                fixed = scan.equal(group.index_label) if group.index_label else None
                out[key] = _sum(
                    value
                    for i, end in enumerate(group.windows)
                    if end <= seconds
                    for labels, value in indexed[i].get(fixed, ())
                    if scan.matches(labels)
                )
        return out


def plan_shared_reads(
    items: Sequence[Windowed], max_chars: int, share: bool = True
) -> tuple[SharedReads, list[Windowed]]:
    """The shared reads of the items that have a scan, and the items left to read alone
    (all of them unless `share`)."""
    if not share:
        return SharedReads(), list(items)
    longest: dict[str, int] = {}
    for item in items:
        if item.query is not None and item.query.scan is not None:
            longest[item.slo] = max(longest.get(item.slo, 0), item.seconds)
    by_key: dict[tuple[str, int], list[tuple[Hashable, Scan, int]]] = {}
    alone, shared = [], []
    for item in items:
        scan = item.query.scan if item.query else None
        if scan is None:
            alone.append(item)
            continue
        by_key.setdefault((scan.metric, longest[item.slo]), []).append(
            (item.term.key, scan, item.seconds)
        )
        shared.append(item.term)
    plan = SharedReads(terms=shared)
    for (metric, _), scans in sorted(by_key.items(), key=lambda kv: kv[0]):
        for chunk in _chunks(scans, max_chars):
            _add_group(plan, metric, chunk)
    return plan, alone


def _chunks(
    scans: list[tuple[Hashable, Scan, int]], max_chars: int
) -> list[list[tuple[Hashable, Scan, int]]]:
    """Runs of scans whose shared selector stays under `max_chars` characters."""
    out: list[list[tuple[Hashable, Scan, int]]] = [[]]
    size = 0
    for entry in scans:
        cost = sum(len(m.value) + 1 for m in entry[1].matchers if m.op == "=")
        if out[-1] and size + cost > max_chars:
            out.append([])
            size = 0
        out[-1].append(entry)
        size += cost
    return out


def _add_group(plan: SharedReads, metric: str, scans: list[tuple[Hashable, Scan, int]]) -> None:
    labels = sorted({m.label for _, scan, _ in scans for m in scan.matchers})
    fixed = [label for label in labels if all(s.equal(label) is not None for _, s, _ in scans)]
    selector = ",".join(
        f"{label}=~{json.dumps('|'.join(sorted({_literal(s.equal(label)) for _, s, _ in scans})))}"
        for label in fixed
    )
    group = Group(scans, sorted({seconds for _, _, seconds in scans}), fixed[0] if fixed else None)
    g = len(plan.groups)
    plan.groups.append(group)
    previous = 0
    for i, end in enumerate(group.windows):
        offset = f" offset {format_duration(previous)}" if previous else ""
        ranged = f"{metric}{{{selector}}}[{format_duration(end - previous)}]{offset}"
        expr = f"sum by ({', '.join(labels)}) (increase({ranged}))"
        plan.segments.append(Segment(g, i, expr))
        previous = end


def _sum(values: Iterable[float]) -> float | None:
    """The events of the matched series; None without any. A value that is no count of
    events (NaN, infinite, negative) is given back as it is, to be reported as such."""
    total: float | None = None
    for value in values:
        if not math.isfinite(value) or value < 0:
            return value
        total = value if total is None else total + value
    return total


def _literal(value: str | None) -> str:
    """A regular expression (RE2) matching exactly `value`."""
    return _SPECIAL.sub(r"\\\g<0>", value or "")


def _index(
    series: Series, label: str | None
) -> dict[str | None, list[tuple[Mapping[str, str], float]]]:
    """The answer's series by their value of `label` (all under None without one)."""
    out: dict[str | None, list[tuple[Mapping[str, str], float]]] = {}
    for labels, value in series:
        out.setdefault(labels.get(label, "") if label else None, []).append((labels, value))
    return out


def parse_series(rows: Sequence[Mapping[str, object]]) -> Series:
    """A segment's answer as (labels, value) pairs."""
    out = []
    for row in rows:
        labels = row.get("metric")
        if not isinstance(labels, dict):
            raise MalformedResult("a series without a label set (no metric)")
        out.append(({str(k): str(v) for k, v in labels.items()}, sample(row.get("value"))[1]))
    return out


def twice(series: Series) -> bool:
    """Whether an answer holds one label set twice, which no store's `sum by` gives."""
    seen = {tuple(sorted(labels.items())) for labels, _ in series}
    return len(seen) != len(series)
