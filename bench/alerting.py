"""Benchmark: one alerting cycle for 1,000 SLOs, beside evaluation alone.

The data and SLOs of bench/evaluate.py (a local Prometheus, cached in bench/.data), a
SQLite database and the Slack stand-in of the tests. A cycle is evaluation + state
decisions + database writes + posts. Measured in one run: evaluation only (warm hourly
cache, as in a running bot) and full cycles a minute apart, so the cost of keeping
state is visible. Target: a cycle under 10 s on this machine.
"""

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.evaluate import DATA, END, catalog, prepare  # noqa: E402
from bot.domain.burn import burn_windows  # noqa: E402
from bot.domain.slo import Catalog, Service, Team  # noqa: E402
from bot.metrics.prometheus import PrometheusSource  # noqa: E402
from bot.services.alerting import AlertingCycle  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.slack.app import web_client  # noqa: E402
from bot.slack.messages.alerts import AlertMessages  # noqa: E402
from bot.slack.notifier import SlackNotifier  # noqa: E402
from bot.slack.rendering import Renderer  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import UnitOfWork  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    slos = catalog(args.slos)
    services = {s.service: Service(s.service, "bench") for s in slos}
    whole = Catalog(teams={"bench": Team("bench", "C0BENCH")}, services=services, slos=tuple(slos))
    with tempfile.TemporaryDirectory() as tmp, prepare(DATA) as prom, SlackStandIn() as slack:
        url = prom.start()
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        source = PrometheusSource(url)
        settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=slack.api_url)
        notifier = SlackNotifier(web_client(settings))
        messages = AlertMessages(Renderer())
        cycle = AlertingCycle(whole, source, UnitOfWork(engine), notifier, messages)
        start = END - timedelta(minutes=args.cycles + 1)

        t0 = time.perf_counter()
        first = cycle.run(start)
        first_seconds = time.perf_counter() - t0
        evaluations, cycles = [], []
        for i in range(args.cycles):
            at = start + timedelta(minutes=i + 1)
            t0 = time.perf_counter()
            source.read(slos, at, burn_windows())
            evaluations.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            report = cycle.run(at)
            cycles.append(time.perf_counter() - t0)
        posts = len(slack.calls_to("chat.postMessage"))
    evaluation, steady = min(evaluations), min(cycles)
    print(f"\n{args.slos} SLOs; {first.opened} alerts opened by the first cycle, {posts} posts\n")
    print(f"{'':<40}{'seconds':>10}")
    print(f"{'first cycle (cold hourly cache)':<40}{first_seconds:>10.2f}")
    print(f"{'evaluation only (warm)':<40}{evaluation:>10.2f}")
    print(f"{'full cycle (warm)':<40}{steady:>10.2f}")
    print(f"{'of which state keeping and posting':<40}{steady - evaluation:>10.2f}")
    print(
        f"\nlast cycle: {report.evaluated} evaluated, {report.opened} opened; "
        f"target: a cycle under 10 s ({'met' if steady < 10 else 'MISSED'} warm, "
        f"{'met' if first_seconds < 10 else 'missed'} cold)"
    )


if __name__ == "__main__":
    main()
