"""Runs many PromQL terms as few queries: deduped, batched, fetched concurrently.

Pure of HTTP: the query itself is the caller's `fetch` (bot/metrics/prometheus.py sends it).
A batch that the store rejects (QueryRejected) is bisected until the faulty term is found,
so that only its SLO reports the error.
"""

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

from bot.metrics.errors import QueryRejected
from bot.metrics.promql import Term, TermError, batches
from bot.metrics.source import Progress

V = TypeVar("V")
Fetch = Callable[[Sequence[Term]], dict[Hashable, V | TermError]]


def run_batches(
    terms: Sequence[Term],
    fetch: Fetch[V],
    *,
    concurrency: int,
    max_query_chars: int,
    progress: Progress | None = None,
) -> dict[Hashable, V | TermError]:
    """Dedupe, batch and fetch concurrently; on the first failure, drop what is queued."""
    keys_of: dict[str, list[Hashable]] = {}
    for term in terms:
        keys_of.setdefault(term.expr, []).append(term.key)
    unique = [Term(expr, expr) for expr in keys_of]
    by_expr: dict[Hashable, V | TermError] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        futures = [pool.submit(bisect, g, fetch) for g in batches(unique, max_query_chars)]
        for future in as_completed(futures):
            by_expr.update(future.result())
            if progress:
                progress(len(by_expr) * len(terms) // max(1, len(unique)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {key: by_expr[expr] for expr, keys in keys_of.items() for key in keys}


def bisect(terms: Sequence[Term], fetch: Fetch[V]) -> dict[Hashable, V | TermError]:
    """One query for a batch; a rejected batch is bisected until the bad term is found."""
    try:
        return fetch(terms)
    except QueryRejected as exc:
        if len(terms) == 1:
            return {terms[0].key: TermError(f"{exc.message} (query: {terms[0].expr})")}
    middle = len(terms) // 2
    return {**bisect(terms[:middle], fetch), **bisect(terms[middle:], fetch)}
