"""Benchmark: ack latency of 200 simultaneous signed /slo commands, against its floor.

Starts a local Prometheus with the demo's data, the Slack Web API stand-in of the tests,
the real `budgetbot serve`, and beside it the floor: a bolt app whose /slo listener only
acks, served the same way (bench/slack_floor.py). The same generator (a separate process)
fires N signed slash commands at once at one of them, in rounds that alternate which
app goes first, and this prints ack p50/p95/p99 of both over all rounds, each round's
p99s and their median, the ratio budgetbot/floor and the time until every answer reached
its response_url. Targets (checked on the p99 over all rounds): budgetbot's p99 under
300 ms and within 1.5x of the floor's; every answer within 10 s.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.slack_floor import floor  # noqa: E402
from bot.demo.prometheus import LocalPrometheus  # noqa: E402
from bot.demo.scenario import catalog_path, demo_start, demo_traffic, minute_floor  # noqa: E402
from bot.demo.synthetic import generate, write_openmetrics  # noqa: E402
from bot.times import format_time, parse_time  # noqa: E402
from tests.support.server import SIGNING_SECRET, serve  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402
from tests.support.slack_requests import slash_command  # noqa: E402

END = minute_floor(parse_time("2026-03-02T12:00:00Z"))
TARGET_MS = 300.0
TARGET_RATIO = 1.5
WARM_UP = 20  # commands sent to each app before the measured rounds (imports, templates)
TEXTS = ("status", "status payments", "gate checkout", "status search")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fire(url: str, slack: SlackStandIn, count: int) -> list[float]:
    """Send `count` signed commands at once from a separate process; their ack seconds.

    The load comes from its own process (one asyncio loop: connect, send, read the status
    line) so that it does not share a Python interpreter with the Slack stand-in here.
    """
    bodies = [
        slash_command("/slo", TEXTS[i % len(TEXTS)], response_url=slack.response_url(f"r{i}"))
        for i in range(count)
    ]
    job = {
        "url": f"{url}/slack/events",
        "secret": SIGNING_SECRET,
        "bodies": [(b.decode(), t) for b, t in bodies],
    }
    done = subprocess.run(
        [sys.executable, "-c", _CLIENT],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load client failed:\n{done.stderr}")
    return [float(x) * 1000 for x in json.loads(done.stdout)]


_CLIENT = r"""
import asyncio, json, sys, time
from urllib.parse import urlsplit
from tests.support.slack_requests import sign

job = json.load(sys.stdin)
target = urlsplit(job["url"])

def raw(body, content_type):
    headers = sign(job["secret"], body, int(time.time()))
    lines = [f"POST {target.path} HTTP/1.1", f"Host: {target.netloc}",
             f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
             "Connection: close", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode() + body

async def send(request, start):
    await start.wait()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(target.hostname, target.port)
    writer.write(request)
    await writer.drain()
    status = await reader.readline()
    elapsed = time.perf_counter() - started
    assert b" 200 " in status, status
    writer.close()
    return elapsed

async def main():
    requests = [raw(b.encode(), t) for b, t in job["bodies"]]
    start = asyncio.Event()
    tasks = [asyncio.create_task(send(r, start)) for r in requests]
    await asyncio.sleep(0.1)
    start.set()
    print(json.dumps(await asyncio.gather(*tasks)))

asyncio.run(main())
"""


class Rounds:
    """Alternating bursts at budgetbot and at the floor; budgetbot's answers are awaited."""

    def __init__(self, slack: SlackStandIn, bot_url: str, floor_url: str, count: int) -> None:
        self.slack, self.count = slack, count
        self.urls = {"floor": floor_url, "budgetbot": bot_url}
        self.acks: dict[str, list[list[float]]] = {"floor": [], "budgetbot": []}
        self.answered: list[float] = []  # seconds until every answer of a round arrived
        self._answers = 0

    def burst(self, side: str, count: int, measured: bool = True) -> None:
        started = time.perf_counter()
        acks = fire(self.urls[side], self.slack, count)
        if side == "budgetbot":
            self._answers += count
            self.slack.wait_for("response_url", count=self._answers, timeout=60)
            if measured:
                self.answered.append(time.perf_counter() - started)
        if measured:
            self.acks[side].append(acks)
        time.sleep(0.5)  # let both processes settle before the next burst

    def run(self, rounds: int) -> None:
        self.burst("floor", WARM_UP, measured=False)
        self.burst("budgetbot", WARM_UP, measured=False)
        for r in range(rounds):
            for side in ("floor", "budgetbot") if r % 2 == 0 else ("budgetbot", "floor"):
                self.burst(side, self.count)


def report(rounds: Rounds) -> None:
    floor_ms = [a for burst in rounds.acks["floor"] for a in burst]
    bot_ms = [a for burst in rounds.acks["budgetbot"] for a in burst]
    n = len(rounds.acks["floor"])
    print(
        f"\n{rounds.count} simultaneous signed /slo commands, {n} rounds per app "
        "(alternating, one generator)\n"
    )
    print(f"{'':<24}{'floor':>10}{'budgetbot':>12}{'ratio':>8}")
    for label, share in (("ack p50", 0.50), ("ack p95", 0.95), ("ack p99", 0.99)):
        f, b = percentile(floor_ms, share), percentile(bot_ms, share)
        print(f"{label:<24}{f:>7.0f} ms{b:>9.0f} ms{b / f:>7.2f}x")
    by_round = list(zip(rounds.acks["floor"], rounds.acks["budgetbot"], strict=True))
    for i, (f_round, b_round) in enumerate(by_round, 1):
        f, b = percentile(f_round, 0.99), percentile(b_round, 0.99)
        print(f"{f'ack p99, round {i}':<24}{f:>7.0f} ms{b:>9.0f} ms{b / f:>7.2f}x")
    f = statistics.median(percentile(f_round, 0.99) for f_round, _ in by_round)
    b = statistics.median(percentile(b_round, 0.99) for _, b_round in by_round)
    print(f"{'ack p99, median round':<24}{f:>7.0f} ms{b:>9.0f} ms{b / f:>7.2f}x")
    print(f"{'every answer after':<24}{'':>10}{max(rounds.answered):>10.2f} s  (slowest round)")
    f99, b99 = percentile(floor_ms, 0.99), percentile(bot_ms, 0.99)
    ratio = b99 / f99
    print()
    print(f"budgetbot p99 {b99:.0f} ms: target < {TARGET_MS:.0f} ms {_met(b99 < TARGET_MS)}")
    met = _met(ratio <= TARGET_RATIO)
    print(f"p99 ratio {ratio:.2f}x the floor: target <= {TARGET_RATIO}x {met}")
    slowest = max(rounds.answered)
    print(f"every answer within {slowest:.2f} s: target < 10 s {_met(slowest < 10)}")


def _met(ok: bool) -> str:
    return "(met)" if ok else "(NOT met)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="bursts per app")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        truth = generate(demo_traffic(END), demo_start(END), END)
        prometheus = LocalPrometheus(work / "prometheus")
        prometheus.backfill(write_openmetrics(truth, work / "openmetrics"))
        with prometheus, SlackStandIn() as slack:
            url = prometheus.start()
            catalog = work / "budgetbot.yaml"
            catalog.write_text(catalog_path().read_text().replace("http://127.0.0.1:9090", url))
            with (
                serve(work, catalog, slack.api_url, BUDGETBOT_NOW=format_time(END)) as bot,
                floor(work, slack.api_url) as floor_url,
            ):
                # Start-up work first: the digest catch-up 5 s after start draws and posts
                # the weekly charts; the bursts measure a running bot, not its start.
                bot.wait_metric('budgetbot_digests_total{outcome="checked"}', 1, timeout=120)
                rounds = Rounds(slack, bot.url, floor_url, args.commands)
                rounds.run(args.rounds)
    report(rounds)


if __name__ == "__main__":
    main()
