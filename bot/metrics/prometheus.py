"""The Prometheus HTTP source: batched, concurrent, every query pinned to one instant."""

import ast
import json
import re
import threading
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import requests
from prometheus_api_client.exceptions import PrometheusApiClientException
from prometheus_api_client.prometheus_connect import PrometheusConnect
from urllib3.util.retry import Retry

from bot.domain.slo import SLO
from bot.domain.status import Reading
from bot.metrics.promql import (
    Term,
    TermError,
    TermValue,
    batch_query,
    batches,
    parse_batch,
)
from bot.metrics.source import (
    EventCounts,
    Progress,
    assemble,
    fold_event_counts,
    plan_event_terms,
    plan_terms,
)

CONNECT_TIMEOUT = 3.05  # seconds to open a connection; the read timeout is the query's
_STATUS = re.compile(r"HTTP Status Code (\d+) \((b'.*'|b\".*\")\)$", re.DOTALL)


class PrometheusError(Exception):
    """Prometheus could not answer: the whole evaluation is unusable."""


class PrometheusUnreachable(PrometheusError):
    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"Prometheus at {mask_password(url)} is unreachable: {detail}")
        self.url = mask_password(url)


def mask_password(url: str) -> str:
    """The URL with any password in its user-info replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class QueryRejected(Exception):
    """Prometheus refused a query (bad PromQL, too many samples): only its terms fail."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrometheusSource:
    """Evaluates SLIs with few HTTP queries: terms are batched and run concurrently."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        concurrency: int = 4,
        max_query_chars: int = 6000,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.concurrency = concurrency
        self.max_query_chars = max_query_chars
        self.queries_sent = 0
        self._local = threading.local()
        self._lock = threading.Lock()

    def _client(self) -> PrometheusConnect:
        client: PrometheusConnect | None = getattr(self._local, "client", None)
        if client is None:
            # Retry refused connections and gateway errors briefly; never re-send a query
            # that timed out reading (it would only time out again). The last 5xx reaches
            # the client, so its message is reported rather than a retry count.
            retry = Retry(
                total=2,
                read=0,
                backoff_factor=0.1,
                status_forcelist=(502, 503, 504),
                raise_on_status=False,
            )
            # The client types timeout as int; requests itself takes float seconds.
            timeout = (CONNECT_TIMEOUT, self.timeout)
            client = PrometheusConnect(url=self.url, retry=retry, timeout=timeout)  # type: ignore[arg-type]
            self._local.client = client
        return client

    def query(self, promql: str, at: datetime) -> list[dict[str, object]]:
        """One instant query at `at`; raises PrometheusError or QueryRejected."""
        with self._lock:
            self.queries_sent += 1
        params = {
            "time": f"{at.timestamp():.3f}",
            "timeout": f"{self.timeout:g}s",
            "partial_response": "false",  # Thanos: an incomplete answer is an error
        }
        try:
            result: list[dict[str, object]] = self._client().custom_query(promql, params=params)
        except requests.RequestException as exc:
            raise PrometheusUnreachable(self.url, _short(exc)) from exc
        except PrometheusApiClientException as exc:
            code, message = _api_error(exc)
            if code in (400, 422):
                raise QueryRejected(message) from exc
            raise PrometheusError(
                f"Prometheus at {mask_password(self.url)} failed (HTTP {code}): {message}"
            ) from exc
        return result

    def evaluate(
        self, terms: Sequence[Term], at: datetime, progress: Progress | None = None
    ) -> dict[Hashable, TermValue]:
        """Values of all terms at `at`; identical expressions are evaluated once."""
        keys_of: dict[str, list[Hashable]] = {}
        for term in terms:
            keys_of.setdefault(term.expr, []).append(term.key)
        unique = [Term(expr, expr) for expr in keys_of]
        by_expr: dict[Hashable, TermValue] = {}
        groups = batches(unique, self.max_query_chars)
        done = 0
        pool = ThreadPoolExecutor(max_workers=max(1, self.concurrency))
        try:
            futures = [pool.submit(self._evaluate_batch, g, at) for g in groups]
            for future in as_completed(futures):
                found = future.result()
                by_expr.update(found)
                done += len(found)
                if progress:
                    progress(done * len(terms) // max(1, len(unique)))
        finally:
            # On the first failure, queued batches are dropped instead of waited for.
            pool.shutdown(wait=True, cancel_futures=True)
        return {key: by_expr[expr] for expr, keys in keys_of.items() for key in keys}

    def _evaluate_batch(self, terms: Sequence[Term], at: datetime) -> dict[Hashable, TermValue]:
        """One query for a batch; a rejected batch is bisected until the bad term is found."""
        try:
            return parse_batch(self.query(batch_query(terms), at), terms)
        except QueryRejected as exc:
            if len(terms) == 1:
                return {terms[0].key: TermError(f"{exc.message} (query: {terms[0].expr})")}
        middle = len(terms) // 2
        return {
            **self._evaluate_batch(terms[:middle], at),
            **self._evaluate_batch(terms[middle:], at),
        }

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        terms = plan_terms(slos, windows)
        per_slo = max(1, len(terms) // max(1, len(slos)))
        report = (lambda n: progress(n // per_slo)) if progress else None
        return assemble(slos, windows, self.evaluate(terms, at, report))

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        span = int((end - start).total_seconds())
        if span <= 0:
            raise ValueError("the end must come after the start")
        try:
            terms = plan_event_terms(slo, span)
        except ValueError as exc:
            raise QueryRejected(str(exc)) from None
        counts = fold_event_counts(slo, span, self.evaluate(terms, end))
        if isinstance(counts, str):
            raise QueryRejected(counts)
        return counts


def _api_error(exc: PrometheusApiClientException) -> tuple[int, str]:
    """(HTTP status, Prometheus's error text) from the client's exception message.

    The client only keeps `HTTP Status Code N (b'<body>')`; the body is Prometheus's JSON.
    """
    found = _STATUS.search(str(exc))
    if not found:
        return 0, str(exc)
    try:
        body = json.loads(ast.literal_eval(found.group(2)))
        return int(found.group(1)), f"{body['errorType']}: {body['error']}"
    except (ValueError, SyntaxError, KeyError, TypeError):
        return int(found.group(1)), found.group(2)[:300]


def _short(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text.splitlines()[0][:200] if text else type(exc).__name__
