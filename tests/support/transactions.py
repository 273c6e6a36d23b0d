"""Running storage work the way the use cases do: each piece in its own unit of work.

- `in_tx(engine, lambda s: s.alerts.claim_post(episode, "open"))`: committed;
- `read_only(engine, lambda s: s.digests.runs())`: nothing committed;
- `sorted(race(partial(in_tx, engine, work)))`: two at the same instant, e.g. [False, True];
- `race([replica_a.run, replica_b.run])`: each in a thread of its own, at the same instant.
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine

from storage.unit_of_work import Store, UnitOfWork

R = TypeVar("R")

BARRIER_TIMEOUT = 30.0  # seconds for every attempt to reach the start line
RESULT_TIMEOUT = 60.0  # seconds for each attempt to finish once started


def in_tx(engine: Engine, work: Callable[[Store], R]) -> R:
    """Run `work` in its own transaction (UnitOfWork.begin): committed unless it raises."""
    with UnitOfWork(engine).begin() as store:
        return work(store)


def read_only(engine: Engine, work: Callable[[Store], R]) -> R:
    """Run `work` in a fresh session (UnitOfWork.read) that commits nothing."""
    with UnitOfWork(engine).read() as store:
        return work(store)


def race(attempts: Callable[[], R] | Sequence[Callable[[], R]], n: int = 2) -> list[R]:
    """Run `attempts` (one function `n` times, or each of a sequence once) in threads of
    their own, released together by a barrier; the results in the attempts' order. An
    attempt that raises re-raises here."""
    each = [attempts] * n if callable(attempts) else list(attempts)
    barrier = threading.Barrier(len(each), timeout=BARRIER_TIMEOUT)

    def at_the_barrier(attempt: Callable[[], R]) -> R:
        barrier.wait()
        return attempt()

    with ThreadPoolExecutor(max_workers=len(each)) as pool:
        futures = [pool.submit(at_the_barrier, attempt) for attempt in each]
        return [future.result(timeout=RESULT_TIMEOUT) for future in futures]
