"""Benchmark: what policy actions add to a warm alerting cycle of 1,000 SLOs.

The data and SLOs of bench/evaluate.py (a local Prometheus, cached in bench/.data). Two
alerting cycles side by side, each with its own source (its own warm hourly cache), its own
SQLite database and the Slack stand-in: one over the catalog as it is, one over the same
catalog with policies covering every service (frozen and caution webhooks, a page message),
so that every cycle compares 1,000 SLOs' services with their recorded states. Measured in
one run, alternating, the fastest of each. Target: policies add under 10 %.
"""

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.evaluate import DATA, END, catalog, prepare  # noqa: E402
from bot.domain.policy_actions import PolicyAction, PolicyEvent, SlackAction, Webhook  # noqa: E402
from bot.domain.slo import Catalog, Service, Team  # noqa: E402
from bot.metrics.prometheus import PrometheusSource  # noqa: E402
from bot.services.alerting import AlertingCycle  # noqa: E402
from bot.services.policy_events import PolicyEvents  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.slack.app import web_client  # noqa: E402
from bot.slack.messages.alerts import AlertMessages  # noqa: E402
from bot.slack.notifier import SlackNotifier  # noqa: E402
from bot.slack.rendering import Renderer  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import UnitOfWork  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402

HOOK = Webhook("http://127.0.0.1:9/hook", "BENCH_SECRET")  # never called: timing the cycle
POLICIES = (
    PolicyAction("pause", PolicyEvent.FROZEN, webhook=HOOK),
    PolicyAction("careful", PolicyEvent.CAUTION, webhook=HOOK),
    PolicyAction("sprint", PolicyEvent.PAGE, slack=SlackAction("C0BENCH", "{service} pages")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    slos = catalog(args.slos)
    services = {s.service: Service(s.service, "bench") for s in slos}
    plain = Catalog(teams={"bench": Team("bench", "C0BENCH")}, services=services, slos=tuple(slos))
    with_policies = replace(plain, policies=POLICIES)
    with tempfile.TemporaryDirectory() as tmp, prepare(DATA) as prom, SlackStandIn() as slack:
        url = prom.start()
        settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=slack.api_url)
        notifier = SlackNotifier(web_client(settings))
        cycles = {}
        for name, whole in (("without policies", plain), ("with policies", with_policies)):
            engine = make_engine(f"sqlite:///{Path(tmp) / name.replace(' ', '-')}.db")
            upgrade(engine)
            uow = UnitOfWork(engine)
            events = PolicyEvents(whole, uow)
            cycles[name] = AlertingCycle(
                whole,
                PrometheusSource(url),
                uow,
                notifier,
                AlertMessages(Renderer()),
                on_states=events.observe if whole.policies else None,
            )
        start = END - timedelta(minutes=args.cycles + 1)
        for cycle in cycles.values():  # cold: hours cached, alerts opened, states recorded
            cycle.run(start)
        seconds: dict[str, list[float]] = {name: [] for name in cycles}
        for i in range(args.cycles):
            at = start + timedelta(minutes=i + 1)
            order = list(cycles.items()) if i % 2 == 0 else list(reversed(cycles.items()))
            for name, cycle in order:
                t0 = time.perf_counter()
                cycle.run(at)
                seconds[name].append(time.perf_counter() - t0)
    base, extra = min(seconds["without policies"]), min(seconds["with policies"])
    ratio = extra / base
    print(f"\n{args.slos} SLOs, {len(services)} services, {len(POLICIES)} policies\n")
    print(f"{'warm alerting cycle':<40}{'seconds':>10}")
    print(f"{'without policies':<40}{base:>10.2f}")
    print(f"{'with policies':<40}{extra:>10.2f}")
    print(
        f"\nratio {ratio:.3f}: policies add {ratio - 1:+.1%} "
        f"(target under +10 %: {'met' if ratio < 1.10 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
