"""A session-wide real VictoriaMetrics (Debian's `victoria-metrics`) holding the same
SCENARIOS counters as the `prom` fixture, so the truth tests run on both stores."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from bot.demo.synthetic import days, generate, render_day
from tests.support.cli import closed_port
from tests.support.prometheus import PromData
from tests.support.scenarios import END, SCENARIOS, START
from tests.support.waiting import wait_until


def exposition(openmetrics: str) -> bytes:
    """The day's OpenMetrics text (timestamps in seconds) as Prometheus exposition text with
    millisecond timestamps, which VictoriaMetrics' /api/v1/import/prometheus reads."""
    lines = []
    for line in openmetrics.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value, stamp = line.rsplit(" ", 2)
        lines.append(f"{series} {value} {int(stamp) * 1000}")
    return ("\n".join(lines) + "\n").encode()


def _post(url: str, body: bytes = b"") -> None:
    request = urllib.request.Request(url, data=body, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def victoria(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromData]:
    """VictoriaMetrics on a free loopback port with the SCENARIOS data imported."""
    binary = shutil.which("victoria-metrics")
    if binary is None:
        pytest.fail(
            "victoria-metrics is not installed: scripts/ensure-victoria-metrics.sh (run by "
            "make test) installs Debian's victoria-metrics package",
            pytrace=False,
        )
    began = time.perf_counter()
    workdir = tmp_path_factory.mktemp("victoria")
    url = f"http://127.0.0.1:{closed_port()}"
    command = [
        binary,
        f"-storageDataPath={workdir / 'data'}",
        f"-httpListenAddr={url.removeprefix('http://')}",
        "-retentionPeriod=100y",
        "-search.latencyOffset=0s",  # the data is old; live use: see docs/architecture.md
        "-loggerLevel=ERROR",
    ]
    log = (workdir / "victoria.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def ready() -> bool:
        if server.poll() is not None:
            pytest.fail(f"victoria-metrics exited: {workdir / 'victoria.log'}")
        return _ready(url)

    try:
        wait_until(ready, 30, f"victoria-metrics did not start: {workdir / 'victoria.log'}")
        truth = generate(list(SCENARIOS.values()), START, END)
        for day in days(truth):
            _post(f"{url}/api/v1/import/prometheus", exposition(render_day(truth, day)))
        _post(f"{url}/internal/force_flush")
        yield PromData(url, START, END, truth, SCENARIOS, time.perf_counter() - began)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
