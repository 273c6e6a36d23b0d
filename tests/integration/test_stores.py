"""The truth tests on both stores budgetbot supports (docs/catalog.md, What a query counts): a real
Prometheus and a real VictoriaMetrics holding the same counters."""

import json
from pathlib import Path
from typing import Any

import pytest

from bot.domain.burn import burn_windows
from bot.domain.durations import format_duration
from tests.integration.test_query_kinds import SERVICES
from tests.support.catalogs import both_forms_catalog
from tests.support.cli import budgetbot


@pytest.fixture(scope="module")
def status(store: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    catalog = both_forms_catalog(tmp_path_factory.mktemp("stores"), store.url)
    at = store.end.isoformat()
    run = budgetbot("status", "--config", str(catalog), "--at", at, "--format", "json")
    assert run.returncode == 0, run.stderr
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("form", ["rate", "count"])
def test_status_is_true_on_every_store(
    status: dict[str, dict[str, Any]], store: Any, service: str, form: str
) -> None:
    doc = status[f"{service}-{form}"]
    truth = store.truth.error_ratio(service, store.end, 30 * 86400)
    assert doc["error_ratio"] == pytest.approx(truth, rel=1e-6)
    for seconds in burn_windows():
        expected = store.truth.error_ratio(service, store.end, seconds)
        got = doc["burn_rates"][format_duration(seconds)]
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected / 0.001, rel=1e-6, abs=1e-9)


def catalog_of(store: Any, tmp_path: Path, service: str, name: str) -> Path:
    """The truth catalog with its `steady` SLOs renamed to `service`'s, as `name`.yaml."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(both_forms_catalog(tmp_path, store.url).read_text().replace("steady", service))
    return path


def status_of(store: Any, path: Path, slo: str) -> dict[str, Any]:
    """`budgetbot status --format json` of one SLO at the end of the data."""
    run = budgetbot(
        "status", "--config", str(path), "--slo", slo, "--at", store.end.isoformat(),
        "--format", "json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (doc,) = json.loads(run.stdout)
    return dict(doc)


def test_a_window_reaching_before_the_first_sample(store: Any, tmp_path: Path) -> None:
    """`short` has data for 28 days only: a 30-day window reaches before its first sample."""
    doc = status_of(store, catalog_of(store, tmp_path, "short", "short"), "short-count")
    truth = store.truth.error_ratio("short", store.end, 30 * 86400)
    assert doc["error_ratio"] == pytest.approx(truth, rel=1e-6)


@pytest.mark.parametrize(("service", "hours_after_start"), [("incident", None), ("short", 3)])
def test_incident_impact_is_true_on_every_store(
    store: Any, store_name: str, tmp_path: Path, service: str, hours_after_start: int | None
) -> None:
    """Its window ends shortly after `short`'s first sample: the SLO window reaches before
    the data, where multiplying a rate by the window would read the budget wrong."""
    from datetime import UTC, datetime, timedelta

    path = catalog_of(store, tmp_path, "short", "impact")
    if hours_after_start is None:
        end = store.end - timedelta(days=5) + timedelta(hours=2)
    else:
        end = store.scenarios[service].data_from + timedelta(hours=hours_after_start)
    start = end - timedelta(hours=2)
    run = budgetbot(
        "incident-impact", "--config", str(path), "--slo", f"{service}-count",
        "--start", start.isoformat(), "--end", end.isoformat(), "--format", "json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    bad, total = store.truth.counts(service, start, end)
    _, window_total = store.truth.counts(service, end - timedelta(days=30), end)
    assert doc["total_events"] == pytest.approx(total, rel=1e-6)
    # Prometheus cannot know what a series counted before its first sample inside the
    # window: it extrapolates by half a sample interval (30 s of the data in the window).
    # VictoriaMetrics' increase() is exact. (docs/architecture.md: Prometheus-compatible
    # stores; initialise counters at zero.)
    data_from = store.scenarios[service].data_from or store.start
    reaches_before = end - timedelta(days=30) < data_from
    prometheus = store_name == "prometheus"
    slack = 30 / (end - data_from).total_seconds() if reaches_before and prometheus else 1e-6
    assert doc["budget_consumed"] == pytest.approx(bad / (0.001 * window_total), rel=slack)
    assert datetime.now(UTC) > end  # the window is in the past: figures are final


def test_the_store_is_detected_and_sent_its_own_parameters(store: Any, store_name: str) -> None:
    """Each store is told to refuse partial answers in its own words, and nothing else."""
    from urllib.parse import parse_qs, urlsplit

    from bot.metrics.prometheus import PrometheusSource
    from bot.metrics.promql import Term
    from tests.support.faulty_proxy import faulty_proxy

    with faulty_proxy(store.url) as (url, proxy):
        source = PrometheusSource(url)
        assert source.flavor == store_name
        source.evaluate([Term(0, "sum(up) or vector(1)")], store.end)
    (query,) = [parse_qs(urlsplit(p).query) for p in proxy.paths if "/api/v1/query" in p]
    expected = {"prometheus": set(), "victoriametrics": {"deny_partial_response"}}[store_name]
    assert set(query) - {"query", "time", "timeout"} == expected


def test_a_named_flavor_is_not_detected() -> None:
    from bot.metrics.prometheus import PrometheusSource
    from tests.support.cli import closed_port

    source = PrometheusSource(f"http://127.0.0.1:{closed_port()}", flavor="thanos")
    assert source.flavor == "thanos"  # no request was needed to know


def test_an_error_series_born_inside_the_window(
    store: Any, store_name: str, tmp_path: Path
) -> None:
    """`born`'s code="500" series appears at its first error, 3 days before the end, and
    counts from 0. VictoriaMetrics counts every error; Prometheus cannot know the first
    sample's errors and misses at most those (docs: initialise counters at zero)."""
    from datetime import timedelta

    doc = status_of(store, catalog_of(store, tmp_path, "born", "born"), "born-rate")
    bad, total = store.truth.counts("born", store.end - timedelta(days=30), store.end)
    series = store.truth.series("born")
    first_errors = next(v for v in series.bad if v > 0)  # the first sample's value
    got = doc["error_ratio"] * total
    if store_name == "victoriametrics":
        assert got == pytest.approx(bad, rel=1e-6)
    else:
        assert bad - first_errors - 1e-6 <= got <= bad + 1e-6
    assert first_errors > 0 and bad > 100 * first_errors  # the loss is small, and known


def test_hour_reuse_is_true_on_every_store(store: Any, store_name: str, tmp_path: Path) -> None:
    """A long-running source composes long windows from cached hours: the same figures as
    one-shot queries, on both stores, the born-inside-the-window series included."""
    from datetime import timedelta

    from bot.catalog import load_catalog
    from bot.metrics.prometheus import PrometheusSource

    path = catalog_of(store, tmp_path, "born", "hours")
    slos = [s for s in load_catalog(path).slos if s.source.endswith("hours.yaml")]
    at = store.end - timedelta(minutes=17)
    composed_source = PrometheusSource(store.url)
    composed_source.read(slos, at - timedelta(hours=2), burn_windows())  # fills the cache
    composed = composed_source.read(slos, at, burn_windows())
    direct = PrometheusSource(store.url, reuse_hours=False).read(slos, at, burn_windows())
    for slo in slos:
        got, plain = composed[slo.name].period, direct[slo.name].period
        assert got is not None and plain is not None, slo.name
        assert got.error_ratio is not None and plain.error_ratio is not None
        bad, total = store.truth.counts(slo.service, at - timedelta(seconds=slo.window), at)
        if store_name == "prometheus" and slo.service == "born":
            # Prometheus misses the errors of the series' first sample, in whichever piece
            # holds it: both readings lie within that loss of the truth.
            first = next(v for v in store.truth.series("born").bad if v > 0)
            for reading in (got, plain):
                assert bad - first - 1e-6 <= reading.error_ratio * total <= bad + 1e-6
            continue
        assert got.error_ratio == pytest.approx(plain.error_ratio, rel=1e-9, abs=1e-12)
        assert got.error_ratio == pytest.approx(bad / total, rel=1e-6), slo.name


@pytest.mark.parametrize(
    ("buildinfo", "healthy", "flavor"),
    [
        ({"version": "2.42.0"}, (200, "Prometheus Server is Healthy.\n"), "prometheus"),
        ({}, (200, "VictoriaMetrics is Healthy.\n"), "victoriametrics"),
        ({"version": "0.32.0"}, (200, "Thanos Querier is Healthy.\n"), "thanos"),
        ({"application": "Grafana Mimir", "version": "2.10"}, (404, ""), "mimir"),
        ({"version": "2.42.0"}, (503, "NOT OK"), None),  # unhealthy: ask again later
        ({}, (404, "Not Found"), None),  # a proxy in between: unknown
    ],
)
def test_detection_keeps_only_a_verdict_the_store_gave(
    buildinfo: dict[str, str], healthy: tuple[int, str], flavor: str | None
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bot.metrics.stores import UNKNOWN_PARAMS, detect_flavor, store_params

    class Store(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/api/v1/status/buildinfo"):
                code, body = 200, json.dumps({"status": "success", "data": buildinfo})
            else:
                code, body = healthy
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert detect_flavor(f"http://127.0.0.1:{server.server_address[1]}") == flavor
    finally:
        server.shutdown()
        server.server_close()
    expected = {"thanos": {"partial_response"}, "victoriametrics": {"deny_partial_response"}}
    sent = set(store_params(flavor))
    assert sent == (set(UNKNOWN_PARAMS) if flavor is None else expected.get(flavor, set()))
