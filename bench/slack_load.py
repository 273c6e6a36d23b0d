"""Benchmark: 200 concurrent signed /slo commands against the real `budgetbot serve`.

Starts a local Prometheus with the demo's data, the Slack Web API stand-in of the tests
and `budgetbot serve`, fires N signed slash commands at once (bounded: one request per
command, nothing else) and prints ack latency p50/p95/p99 and the time until every
answer reached its response_url. Targets: p99 ack under 300 ms; every answer within 10 s.
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

from bot.demo.prometheus import LocalPrometheus  # noqa: E402
from bot.demo.scenario import catalog_path, demo_start, demo_traffic, minute_floor  # noqa: E402
from bot.demo.synthetic import generate, write_openmetrics  # noqa: E402
from bot.times import format_time, parse_time  # noqa: E402
from tests.support.server import SIGNING_SECRET, serve  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402
from tests.support.slack_requests import slash_command  # noqa: E402

END = minute_floor(parse_time("2026-03-02T12:00:00Z"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fire(url: str, slack: SlackStandIn, count: int) -> list[float]:
    """Send `count` signed commands at once from a separate process; their ack seconds.

    The load comes from its own process (one asyncio loop: connect, send, read the status
    line) so that it does not share a Python interpreter with the Slack stand-in here.
    """
    texts = ["status", "status payments", "gate checkout", "status search"]
    bodies = [
        slash_command("/slo", texts[i % len(texts)], response_url=slack.response_url(f"r{i}"))
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
    return [float(x) for x in json.loads(done.stdout)]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
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
            with serve(work, catalog, slack.api_url, BUDGETBOT_NOW=format_time(END)) as bot:
                started = time.perf_counter()
                acks = fire(bot.url, slack, args.commands)
                slack.wait_for("response_url", count=args.commands, timeout=60)
                answered = time.perf_counter() - started
    ms = [a * 1000 for a in acks]
    print(f"\n{args.commands} concurrent signed /slo commands against budgetbot serve\n")
    print(f"{'ack p50':<22}{percentile(ms, 0.50):>8.0f} ms")
    print(f"{'ack p95':<22}{percentile(ms, 0.95):>8.0f} ms")
    print(f"{'ack p99':<22}{percentile(ms, 0.99):>8.0f} ms   (target < 300 ms)")
    print(f"{'ack mean':<22}{statistics.mean(ms):>8.0f} ms")
    print(f"{'every answer after':<22}{answered:>8.2f} s    (target < 10 s)")


if __name__ == "__main__":
    main()
