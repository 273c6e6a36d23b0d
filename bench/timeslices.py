"""Benchmark: a cold evaluation of 1,000 timeslice SLOs beside 1,000 events SLOs.

Run with `.venv/bin/python bench/timeslices.py` (also part of `make bench`). The same data
and SLOs as bench/evaluate.py (1,000 SLOs over 25 services, 7 to 30 day windows, every
SLO's expressions distinct), in a Prometheus of its own (bench/.data-timeslices); the
timeslice SLOs are the same SLIs budgeted over 1-minute slices (a minute is bad when under
99 % of its requests succeeded). Both catalogs' recorded hours are backfilled once with
`budgetbot rules --backfill`. Each is read cold as one-shot `budgetbot status` does, on raw
data and with recorded hours, alternating the order, the best of the rounds counting; then
the timeslices once as a running `serve` does without recorded hours (the first
evaluation, and the one a minute later). Prints seconds, queries and the ratio
timeslices/events. Target: the cold timeslice evaluation within 2x of the events one.
"""

import argparse
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evaluate import DAYS, END, catalog, prepare
from bench.recorded import backfill_once
from bot.catalog.timeslices import ratio_slices
from bot.domain.burn import burn_windows
from bot.domain.slo import SLO, EventsSLI
from bot.metrics.prometheus import PrometheusSource

DATA = Path(__file__).parent / ".data-timeslices"  # its own: recorded hours are added to it
SLICE = 60
TARGET = 0.99


def sliced(slos: list[SLO]) -> list[SLO]:
    out = []
    for slo in slos:
        assert isinstance(slo.sli, EventsSLI)
        out.append(replace(slo, sli=ratio_slices(slo.sli, SLICE, TARGET), slice_size=SLICE))
    return out


def timed(source: PrometheusSource, slos: list[SLO], at: datetime) -> tuple[float, int, int]:
    """(seconds, queries, SLOs with figures) of one evaluation."""
    sent, t0 = source.queries_sent, time.perf_counter()
    readings = source.read(slos, at, burn_windows())
    seconds = time.perf_counter() - t0
    figures = sum(1 for r in readings.values() if r.period is not None and r.error is None)
    return seconds, source.queries_sent - sent, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="cold rounds; the best counts")
    args = parser.parse_args()
    events = catalog(args.slos)
    slices = sliced(events)
    with prepare(DATA) as prom:
        url = prom.start()
        start = END - timedelta(days=DAYS)
        backfilled = backfill_once(prom, DATA, [*events, *slices], start, END)
        url = prom.url
        best: dict[str, tuple[float, int, int]] = {}
        for round_ in range(args.rounds):
            order = [
                (f"{name}, {how}", slos, how == "recorded")
                for how in ("raw", "recorded")
                for name, slos in (("events", events), ("timeslices", slices))
            ]
            for name, slos, recorded in order if round_ % 2 == 0 else order[::-1]:
                source = PrometheusSource(url, reuse_hours=False, recorded_hours=recorded)
                got = timed(source, slos, END)
                if name not in best or got[0] < best[name][0]:
                    best[name] = got
        serving = PrometheusSource(url, recorded_hours=False)
        first = timed(serving, slices, END - timedelta(minutes=1))
        next_ = timed(serving, slices, END)
    n = len(events)
    print(
        f"\n{n} SLOs, {1 + len(burn_windows())} windows each; best of {args.rounds} cold rounds; "
        f"recorded hours of both backfilled in {backfilled:.0f} s\n"
    )
    print(f"{'evaluation':<40}{'seconds':>9}{'queries':>9}{'with figures':>14}")
    rows = [
        *((f"{name}, cold", *got) for name, got in best.items()),
        ("timeslices raw, serve: first", *first),
        ("timeslices raw, serve: a minute later", *next_),
    ]
    for label, seconds, queries, figures in rows:
        print(f"{label:<40}{seconds:>9.2f}{queries:>9}{figures:>14}")
    for how in ("raw", "recorded"):
        ratio = best[f"timeslices, {how}"][0] / best[f"events, {how}"][0]
        verdict = "met" if ratio <= 2 else "MISSED"
        print(f"cold timeslices / cold events, {how}: {ratio:.2f}x (target <= 2x: {verdict})")


if __name__ == "__main__":
    main()
