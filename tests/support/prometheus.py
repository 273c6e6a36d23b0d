"""The session-wide real Prometheus holding the SCENARIOS counters (docs/architecture.md, Tests)."""

import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.demo.prometheus import LocalPrometheus, PrometheusMissing
from bot.demo.synthetic import ServiceTraffic, Truth, generate, write_openmetrics
from tests.support.scenarios import END, SCENARIOS, START


@dataclass(frozen=True)
class PromData:
    """A running Prometheus and the exact truth behind its data; query it at `end`."""

    url: str
    start: datetime  # the first sample (START)
    end: datetime  # the last sample: the pinned "now" for queries (pass time=end)
    truth: Truth
    scenarios: Mapping[str, ServiceTraffic]
    setup_seconds: float  # wall-clock seconds to generate, backfill and start


@pytest.fixture(scope="session")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromData]:
    """Generate SCENARIOS, backfill them into a fresh Prometheus and serve them all session."""
    began = time.perf_counter()
    workdir = tmp_path_factory.mktemp("prometheus")
    server = _server(workdir)
    if isinstance(server, str):
        pytest.fail(server, pytrace=False)  # a missing real part fails the tests, never skips them
    with server:
        truth = generate(list(SCENARIOS.values()), START, END)
        files_dir = workdir / "openmetrics"
        server.backfill(write_openmetrics(truth, files_dir))
        shutil.rmtree(files_dir)
        server.start()
        yield PromData(server.url, START, END, truth, SCENARIOS, time.perf_counter() - began)


def _server(workdir: Path) -> LocalPrometheus | str:
    """The server, or why there cannot be one (outside `except`, so pytest shows no chain)."""
    try:
        return LocalPrometheus(workdir)
    except PrometheusMissing as missing:
        return str(missing)
