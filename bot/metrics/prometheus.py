"""The Prometheus HTTP source: batched, concurrent, every query pinned to one instant."""

import math
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import requests
from prometheus_api_client.exceptions import PrometheusApiClientException
from prometheus_api_client.prometheus_connect import PrometheusConnect
from urllib3.util.retry import Retry

from bot.domain.slo import SLO
from bot.domain.status import Reading, exclusion_reading
from bot.metrics.batch_runner import run_batches
from bot.metrics.buckets import boundaries, named_buckets
from bot.metrics.composition import (
    Composition,
    Windowed,
    event_windowed,
    plan_composition,
    windowed,
)
from bot.metrics.errors import PrometheusError, PrometheusUnreachable, QueryRejected, mask_password
from bot.metrics.exclusion_pieces import plan_excluded, take_out
from bot.metrics.hourly import HourlyCache
from bot.metrics.prometheus_answers import api_error, checked, unreachable_reason
from bot.metrics.promql import (
    MalformedResult,
    Term,
    TermError,
    TermValue,
    batch_query,
    parse_batch,
    parse_range,
)
from bot.metrics.recorded_reader import RecordedReader
from bot.metrics.shared_reads import SharedReads, plan_shared_reads
from bot.metrics.source import (
    EventCounts,
    Progress,
    assemble,
    fold_event_counts,
    plan_event_terms,
    plan_terms,
)
from bot.metrics.stores import detect_flavor, store_params

CONNECT_TIMEOUT = 3.05  # seconds to open a connection; the read timeout is the query's


class PrometheusSource:
    """Evaluates SLIs with few HTTP queries and few samples.

    Terms are batched and run concurrently (bot.metrics.batch_runner); windows of a day or
    more are composed of recorded hours, clock hours and raw pieces (bot.metrics.composition),
    the clock hours kept for later evaluations of this source (keep one source per process).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        concurrency: int = 4,
        max_query_chars: int = 6000,
        reuse_hours: bool = True,
        recorded_hours: bool = True,
        share_reads: bool = True,
        connect_timeout: float = CONNECT_TIMEOUT,
        retries: int = 2,
        flavor: str | None = None,
        detect: bool = True,
    ) -> None:
        """reuse_hours: compose long windows from hours read by range queries and kept
        (bot.metrics.hourly); recorded_hours: from the hours `budgetbot rules` records;
        share_reads: read queries of one shape together (bot.metrics.shared_reads);
        connect_timeout and retries (refused connections, gateway errors) bound a probe;
        flavor: the store (bot.metrics.stores.FLAVORS), detected on first use when None
        and `detect` (an unknown store is sent every store's partial-answer refusal)."""
        self.connect_timeout = connect_timeout
        self.retries = retries
        self.url = url.rstrip("/")
        self.hourly = HourlyCache() if reuse_hours else None
        self._hours_lock = threading.Lock()  # one composed read at a time: the cache is shared
        self.timeout = timeout
        self.concurrency = concurrency
        self.max_query_chars = max_query_chars
        self.queries_sent = 0
        self._flavor = flavor
        self._detect_after = 0.0 if detect else math.inf  # monotonic: when to ask again
        self._detect_lock = threading.Lock()
        self._local = threading.local()
        self._lock = threading.Lock()
        self.share_reads = share_reads
        self.recorded = (
            RecordedReader(self.query, max_query_chars=max_query_chars, concurrency=concurrency)
            if recorded_hours
            else None
        )

    def _client(self) -> PrometheusConnect:
        client: PrometheusConnect | None = getattr(self._local, "client", None)
        if client is None:
            # Retry refused connections and gateway errors briefly; never re-send a query
            # that timed out reading (it would only time out again). The last 5xx reaches
            # the client, so its message is reported rather than a retry count.
            retry = Retry(
                total=self.retries,
                read=0,
                backoff_factor=0.1,
                status_forcelist=(502, 503, 504),
                raise_on_status=False,
            )
            # The client types timeout as int; requests itself takes float seconds.
            timeout = (self.connect_timeout, self.timeout)
            client = PrometheusConnect(url=self.url, retry=retry, timeout=timeout)  # type: ignore[arg-type]
            self._local.client = client
        return client

    @property
    def flavor(self) -> str | None:
        """The store answering (prometheus, victoriametrics, thanos, mimir); None: unknown yet."""
        with self._detect_lock:
            if self._flavor is None and time.monotonic() >= self._detect_after:
                self._flavor = detect_flavor(self.url, timeout=min(1.0, self.timeout))
                self._detect_after = time.monotonic() + 60  # not asked again for a minute
        return self._flavor

    def query(self, promql: str, at: datetime) -> list[dict[str, object]]:
        """One instant query at `at`; raises PrometheusError or QueryRejected."""
        return self._request(
            lambda client, params: client.custom_query(promql, params=params),
            {"time": f"{at.timestamp():.3f}"},
        )

    def _request(
        self,
        send: Callable[[PrometheusConnect, dict[str, str]], list[dict[str, object]]],
        params: dict[str, str],
    ) -> list[dict[str, object]]:
        """Send one query; map failures to PrometheusError (all) or QueryRejected (this one)."""
        with self._lock:
            self.queries_sent += 1
        params = {
            **params,
            "timeout": f"{self.timeout:g}s",
            **store_params(self.flavor),  # an incomplete answer is an error, on every store
        }
        try:
            return checked(send(self._client(), params))
        except requests.JSONDecodeError as exc:
            raise self._nonsense("an answer that is not JSON") from exc
        except (KeyError, TypeError) as exc:
            raise self._nonsense("HTTP 200 without a query result (no data.result)") from exc
        except MalformedResult as exc:
            raise self._nonsense(str(exc)) from exc
        except requests.RequestException as exc:
            raise PrometheusUnreachable(self.url, unreachable_reason(exc, self.timeout)) from exc
        except PrometheusApiClientException as exc:
            code, message = api_error(exc)
            if code in (400, 422):
                raise QueryRejected(message) from exc
            raise PrometheusError(
                f"Prometheus at {mask_password(self.url)} failed (HTTP {code}): {message}"
            ) from exc

    def _nonsense(self, what: str) -> PrometheusError:
        """Prometheus (or a proxy in front of it) answered, but not with a query result."""
        return PrometheusError(f"Prometheus at {mask_password(self.url)} answered {what}")

    def query_range(self, promql: str, stamps: range) -> list[dict[str, object]]:
        """One range query over the instants `stamps` (Unix seconds, even steps)."""
        return self._request(
            lambda client, params: client.custom_query_range(
                promql,
                start_time=datetime.fromtimestamp(stamps.start, UTC),
                end_time=datetime.fromtimestamp(stamps[-1], UTC),
                step=str(stamps.step),
                params=params,
            ),
            {},
        )

    def evaluate(
        self, terms: Sequence[Term], at: datetime, progress: Progress | None = None
    ) -> dict[Hashable, TermValue]:
        """Values of all terms at `at`; identical expressions are evaluated once."""
        try:
            return run_batches(
                terms,
                lambda g: parse_batch(self.query(batch_query(g), at), g),
                concurrency=self.concurrency,
                max_query_chars=self.max_query_chars,
                progress=progress,
            )
        except MalformedResult as exc:
            raise self._nonsense(str(exc)) from exc

    def evaluate_range(
        self, terms: Sequence[Term], stamps: range
    ) -> dict[Hashable, list[float] | TermError]:
        """Values of all terms at each of the instants `stamps` (NaN: no sample)."""
        try:
            return run_batches(
                terms,
                lambda g: parse_range(self.query_range(batch_query(g), stamps), g, stamps),
                concurrency=self.concurrency,
                max_query_chars=self.max_query_chars,
            )
        except MalformedResult as exc:
            raise self._nonsense(str(exc)) from exc

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        terms = plan_terms(slos, windows, at)
        per_slo = max(1, len(terms) // max(1, len(slos)))
        report = (lambda n: progress(n // per_slo)) if progress else None
        values, plan = self._read_terms(windowed(slos, terms, at), at, report)
        readings = named_buckets(
            slos, assemble(slos, windows, values, at), lambda s: self.bucket_boundaries(s, at)
        )
        recorded = {c.key[0] for c in plan.composed if c.read_recorded}  # type: ignore[index]
        for slo in slos:
            reading = exclusion_reading(slo, readings[slo.name], at)
            read_recorded = slo.name in recorded and reading.error is None
            readings[slo.name] = replace(reading, recorded=True) if read_recorded else reading
        return readings

    def _read_terms(
        self,
        items: Sequence[Windowed],
        at: datetime,
        progress: Progress | None = None,
        *,
        live: bool = True,
    ) -> tuple[dict[Hashable, TermValue], Composition]:
        """Every term's value at `at` (and only theirs), long windows composed
        (bot.metrics.composition). Not `live` (an incident's past window): the clock hours
        kept for the running evaluations, and what recorded hours were found, are left as
        they are."""
        at_ms = round(at.timestamp() * 1000)
        reader = self.recorded if live else self._fresh_reader()
        try:
            recorded = reader.read(items, at) if reader else None
        except MalformedResult as exc:
            raise self._nonsense(str(exc)) from exc
        hourly = self.hourly if live else None
        plan = plan_composition(items, at_ms, recorded=recorded, hourly=hourly is not None)
        with self._hours_lock:
            shared, alone = plan_shared_reads(plan.direct, self.max_query_chars, self.share_reads)
            terms = [*(i.term for i in alone), *plan.pieces.pop(at_ms, [])]
            values = self.evaluate(terms, at, progress)
            values.update(self._shared(shared, at))
            for end, pieces in plan.pieces.items():
                values.update(self.evaluate(pieces, datetime.fromtimestamp(end / 1000, UTC)))
            if plan.hours:
                assert hourly is not None
                plan.fill(hourly, self.evaluate_range)
            values.update(plan.combine(values, hourly))
        for end, pieces in plan_excluded(items).items():
            values.update(self.evaluate(pieces, datetime.fromtimestamp(end / 1000, UTC)))
        values.update(take_out(items, values))
        return {i.term.key: values.get(i.term.key) for i in items}, plan

    def _fresh_reader(self) -> RecordedReader | None:
        if self.recorded is None:
            return None
        return RecordedReader(
            self.query, max_query_chars=self.max_query_chars, concurrency=self.concurrency
        )

    def _shared(self, shared: SharedReads, at: datetime) -> dict[Hashable, TermValue]:
        """The values of the terms read together (bot.metrics.shared_reads)."""
        try:
            return shared.read(
                lambda expr: self.query(expr, at),
                lambda terms: self.evaluate(terms, at),
                self.concurrency,
            )
        except MalformedResult as exc:
            raise self._nonsense(str(exc)) from exc

    def recorded_since(self, slos: Sequence[SLO], at: datetime) -> dict[str, datetime | None]:
        """Per SLO, the start of its earliest recorded hour in its window (None: none), asked
        now whatever an earlier evaluation found."""
        reader = self._fresh_reader() or RecordedReader(
            self.query, max_query_chars=self.max_query_chars, concurrency=self.concurrency
        )
        return reader.since(windowed(slos, plan_terms(slos, (), at), at), at)

    def bucket_boundaries(self, series: str, at: datetime) -> list[str]:
        """The `le` values of a histogram's buckets at `at`, in increasing order."""
        return boundaries(self.query(f"count by (le) ({series})", at))

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        span = int((end - start).total_seconds())
        if span <= 0:
            raise ValueError("the end must come after the start")
        try:
            window = slo.period_seconds(end)  # a calendar SLO: its period so far
            terms = plan_event_terms(slo, span, window)
        except ValueError as exc:
            raise QueryRejected(str(exc)) from None
        items = event_windowed(slo, terms, span, window, end)
        values, _ = self._read_terms(items, end, live=False)
        counts = fold_event_counts(slo, span, window, values)
        if isinstance(counts, str):
            raise QueryRejected(counts)
        return counts
