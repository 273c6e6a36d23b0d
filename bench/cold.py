"""Benchmark: a cold `status` of 1,000 SLOs that share no query, raw and from recorded hours.

Run with `.venv/bin/python bench/cold.py` (also part of `make bench`). 1,000 services, each
with its own good and failed counters (1-minute samples, 8 days, cached in bench/.data-cold),
one 7-day SLO per service, so no query is shared. Measured in the same run, side by side:

- Prometheus's own CPU seconds (utime + stime from /proc/<pid>/stat) and the wall time of
  the one-scan query that reads every sample those SLOs need exactly once
  (`sum by (service, code) (increase(http_requests_total[7d]))`);
- budgetbot's cold one-shot evaluation as it was (each term its own query), as it is on raw
  data (queries of one shape read together, each sample once: bot.metrics.shared_reads), and
  from recorded hours (written by `budgetbot rules --backfill`, loaded with promtool);
- google's slo-generator `compute` on the same SLOs and windows (bench/slo_generator.py);
- the CLI's start-up time (`budgetbot --help`) and the imports of `budgetbot status`.

Targets: raw, Prometheus CPU within 2x of the one-scan query; recorded, 1,000 SLOs under
3 s and at least 10x faster than slo-generator. Each cold figure is the best of --rounds.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import slo_generator
from bench.recorded import backfill_once
from bot.catalog.counting import counting
from bot.demo.prometheus import LocalPrometheus
from bot.demo.synthetic import ServiceTraffic, generate, write_openmetrics
from bot.domain.burn import burn_windows
from bot.domain.slo import SLO, EventsSLI, QueryKind, Tier
from bot.domain.status import Reading
from bot.metrics.prometheus import PrometheusSource
from bot.times import parse_time

DATA = Path(__file__).parent / ".data-cold"
END = parse_time("2026-03-02T12:00:00Z")
DAYS = 8
WINDOW = 7 * 86400
ONE_SCAN = "sum by (service, code) (increase(http_requests_total[7d]))"
TICKS = os.sysconf("SC_CLK_TCK")


def services(count: int) -> list[ServiceTraffic]:
    return [ServiceTraffic(f"svc{i:04d}", 2.0 + i % 7, 0.0005 * (1 + i % 4)) for i in range(count)]


def catalog(count: int) -> list[SLO]:
    def query(service: str, bad: bool) -> str:
        code = ',code="500"' if bad else ""
        return f'sum(increase(http_requests_total{{service="{service}"{code}}}[{{{{.window}}}}]))'

    count_kind = (QueryKind.COUNT, QueryKind.COUNT)
    return [
        SLO(f"{s.service}-availability", s.service, "bench", Tier.PRODUCTION, 99.9, WINDOW,
            counting(EventsSLI(query(s.service, True), query(s.service, False), *count_kind)))
        for s in services(count)
    ]  # fmt: skip


def prepare(count: int) -> LocalPrometheus:
    """A Prometheus holding the raw data (backfilled once, then reused)."""
    marker = DATA / f"raw-{count}x{DAYS}d"
    if not marker.exists():
        shutil.rmtree(DATA, ignore_errors=True)
        t0 = time.perf_counter()
        truth = generate(services(count), END - timedelta(days=DAYS), END)
        prom = LocalPrometheus(DATA)
        prom.backfill(write_openmetrics(truth, DATA / "openmetrics"))
        shutil.rmtree(DATA / "openmetrics")
        marker.touch()
        print(f"backfilled {DAYS} days of {count} services in {time.perf_counter() - t0:.0f} s")
    return LocalPrometheus(DATA)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def measured(pid: int, run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(wall seconds, Prometheus CPU seconds) of the best of `rounds` runs."""
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        cpu, t0 = cpu_seconds(pid), time.perf_counter()
        run()
        got = (time.perf_counter() - t0, cpu_seconds(pid) - cpu)
        best = got if best is None or got[0] < best[0] else best
    assert best is not None
    return best


def status(
    url: str,
    slos: list[SLO],
    figures: dict[str, dict[str, Reading]],
    *,
    recorded: bool,
    share: bool,
) -> Callable[[], object]:
    """A cold one-shot evaluation, as `budgetbot status` reads (no clock hours kept); its
    readings kept in `figures` under its name."""

    def run() -> None:
        source = PrometheusSource(
            url, reuse_hours=False, recorded_hours=recorded, share_reads=share
        )
        readings = source.read(slos, END, burn_windows())
        broken = [n for n, r in readings.items() if r.period is None or r.error]
        assert not broken, f"{len(broken)} SLOs without figures, e.g. {broken[0]}"
        figures[f"{recorded}/{share}"] = readings

    return run


def largest_difference(a: dict[str, Reading], b: dict[str, Reading]) -> float:
    """The largest relative difference of any bad or total count of any window."""
    worst = 0.0
    for name, reading in a.items():
        other = b[name]
        pairs = [(reading.period, other.period)]
        pairs += [(r, other.windows[w]) for w, r in reading.windows.items()]
        for x, y in pairs:
            assert x is not None and y is not None
            for u, v in ((x.bad, y.bad), (x.total, y.total)):
                worst = max(worst, abs(u - v) / max(abs(v), 1.0))
    return worst


def startup() -> tuple[float, float]:
    """(seconds of `budgetbot --help`, seconds of importing what `status` needs), best of 5."""
    imports = "import bot.cli.main, bot.metrics.prometheus, bot.services.status"
    commands = ([sys.executable, "-m", "bot", "--help"], [sys.executable, "-c", imports])
    help_s, imports_s = (min(_timed(c) for _ in range(5)) for c in commands)
    return help_s, imports_s


def _timed(command: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="cold rounds; the best counts")
    parser.add_argument("--no-slo-generator", action="store_true", help="skip slo-generator")
    args = parser.parse_args()
    slos = catalog(args.slos)
    rows: list[tuple[str, float, float]] = []
    with prepare(args.slos) as prom:
        url = prom.start()
        start = END - timedelta(days=DAYS)
        recorded_backfill = backfill_once(prom, DATA, slos, start, END)
        url, pid = prom.url, prom.pid  # restarted with the recorded hours
        client = PrometheusSource(url)

        def scan() -> object:
            return client.query(ONE_SCAN, END)

        scan()  # the data in the page cache for every run alike
        rows.append(("one-scan query (every sample once)", *measured(pid, scan, args.rounds)))
        got: dict[str, dict[str, Reading]] = {}
        alone = status(url, slos, got, recorded=False, share=False)
        before = measured(pid, alone, args.rounds)
        rows.append(("budgetbot raw, each term on its own", *before))
        composed = measured(pid, status(url, slos, got, recorded=False, share=True), args.rounds)
        rows.append(("budgetbot raw, reads shared (one pass)", *composed))
        recorded = measured(pid, status(url, slos, got, recorded=True, share=True), args.rounds)
        rows.append(("budgetbot, recorded hours", *recorded))
        generator = None
        if not args.no_slo_generator:
            executable = slo_generator.ensure_installed(Path(__file__).parent / ".slo-generator")
            specs = [slo_generator.http_spec(s.name, s.service, s.objective, WINDOW) for s in slos]
            work = DATA / "slo-generator"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            cpu, t0 = cpu_seconds(pid), time.perf_counter()
            slo_generator.compute(executable, url, specs, END, work)
            generator = (time.perf_counter() - t0, cpu_seconds(pid) - cpu)
            rows.append(("slo-generator compute (one run)", *generator))
    help_s, imports_s = startup()
    shared_off = largest_difference(got["False/True"], got["False/False"])
    recorded_off = largest_difference(got["True/True"], got["False/False"])
    scan_cpu = max(rows[0][2], 1e-9)
    print(f"\n{args.slos} SLOs sharing no query, 7-day windows, {1 + len(burn_windows())} windows")
    print(f"each; best of {args.rounds} cold rounds; recorded hours backfilled in "
          f"{recorded_backfill:.0f} s\n")  # fmt: skip
    print(f"{'evaluation':<42}{'wall s':>8}{'Prom CPU s':>12}{'CPU / one-scan':>16}")
    for label, wall, cpu in rows:
        print(f"{label:<42}{wall:>8.2f}{cpu:>12.2f}{cpu / scan_cpu:>15.1f}x")
    print()
    print(
        f"raw, reads shared vs one-scan, Prometheus CPU: {composed[1] / scan_cpu:.2f}x "
        "(target <= 2x)"
    )
    print(
        f"figures, largest relative difference from each term on its own: reads shared "
        f"{shared_off:.1e}, recorded hours {recorded_off:.1e}"
    )
    print(f"recorded, {args.slos}-SLO cold status: {recorded[0]:.2f} s (target < 3 s)")
    if generator:
        print(f"slo-generator / recorded: {generator[0] / recorded[0]:.1f}x (target >= 10x)")
    print(f"CLI start-up: `budgetbot --help` {help_s:.2f} s; status's imports {imports_s:.2f} s")


if __name__ == "__main__":
    main()
