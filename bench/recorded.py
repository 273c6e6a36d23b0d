"""The benchmarks' recorded hours: backfilled once per data directory and SLO count."""

import shutil
import time
from datetime import datetime
from pathlib import Path

from bot.cli.rules import backfill
from bot.demo.prometheus import LocalPrometheus
from bot.domain.slo import SLO
from bot.metrics.prometheus import PrometheusSource
from bot.metrics.rules_file import recordings


def backfill_once(
    prom: LocalPrometheus, data: Path, slos: list[SLO], start: datetime, end: datetime
) -> float:
    """Write the SLOs' recorded hours of [start, end] with `budgetbot rules --backfill`,
    load them with promtool and restart Prometheus; the seconds the backfill took (kept in
    a marker, so a later run reuses the blocks)."""
    marker = data / f"recorded-{len(slos)}"
    if marker.exists():
        return float(marker.read_text())
    out = data / "hours"
    t0 = time.perf_counter()
    backfill(PrometheusSource(prom.url), recordings(slos), int(start.timestamp()),
             int(end.timestamp()), out)  # fmt: skip
    seconds = time.perf_counter() - t0
    prom.stop()
    prom.backfill(sorted(out.glob("*.om")))
    shutil.rmtree(out)
    marker.write_text(f"{seconds:.1f}")
    prom.start()
    return seconds
