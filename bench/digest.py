"""Benchmark: one team's weekly digest and chart, with and without hour reuse.

The data and SLOs of bench/evaluate.py (a local Prometheus, cached in bench/.data). A
team owns `--slos` of them (default 40, a large team). Measured in one run, each on a
fresh source:

- the digest's figures (now and a week ago, the 1h and 7d burns);
- the chart's ~60 readings over the longest window, without hour reuse (each reading
  scans its whole window) and with it (what `serve` and `budgetbot digest` do: the
  first reading fetches the window's hours once, later ones only the partial hours);
- the chart again on the warm source (a second team's chart in a running `serve`);
- drawing the PNG (matplotlib) from the readings.

Prints seconds and Prometheus queries side by side, and the ratio of the two chart
readings. There is no target for the digest (it runs weekly); this shows where its
time goes and what hour reuse saves.
"""

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.evaluate import DATA, END, catalog, prepare  # noqa: E402
from bot.charts import budget_chart  # noqa: E402
from bot.domain.slo import Catalog, Service, Team  # noqa: E402
from bot.metrics.prometheus import PrometheusSource  # noqa: E402
from bot.services.digest_data import DigestData  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import UnitOfWork  # noqa: E402

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    result = work()
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=40)
    args = parser.parse_args()
    slos = catalog(args.slos)
    services = {s.service: Service(s.service, "bench") for s in slos}
    team = Catalog(teams={"bench": Team("bench", "C0BENCH")}, services=services, slos=tuple(slos))
    rows: list[tuple[str, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp, prepare(DATA) as prom:
        url = prom.start()
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        uow = UnitOfWork(engine)

        def data(reuse: bool) -> tuple[DigestData, PrometheusSource]:
            source = PrometheusSource(url, reuse_hours=reuse)
            return DigestData(team, source, uow), source

        figures, source = data(False)
        digest, seconds = timed(lambda: figures.digest("bench", END))
        rows.append(("digest figures", seconds, source.queries_sent))
        plain, source = data(False)
        _, seconds = timed(lambda: plain.chart("bench", END))
        rows.append(("chart readings, no hour reuse", seconds, source.queries_sent))
        cold = seconds
        reusing, source = data(True)
        chart, seconds = timed(lambda: reusing.chart("bench", END))
        rows.append(("chart readings, hour reuse (cold)", seconds, source.queries_sent))
        reused = seconds
        before = source.queries_sent
        _, seconds = timed(lambda: reusing.chart("bench", END))
        rows.append(("chart readings, hour reuse (warm)", seconds, source.queries_sent - before))
        png, seconds = timed(lambda: budget_chart(chart))
        rows.append(("drawing the PNG", seconds, 0))
    points = len(chart.series[0].points) if chart.series else 0
    print(
        f"\nteam of {args.slos} SLOs: {digest.verdict}; chart of {points} readings per SLO, "
        f"{len(png) // 1024} KiB\n"
    )
    print(f"{'':<40}{'seconds':>10}{'queries':>10}")
    for label, seconds, queries in rows:
        print(f"{label:<40}{seconds:>10.2f}{queries:>10}")
    print(f"\nhour reuse reads the chart {cold / reused:.1f}x faster than scanning each window")


if __name__ == "__main__":
    main()
