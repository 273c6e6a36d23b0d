"""The scheduled jobs of `budgetbot serve`, run by exactly one replica at a time.

Every replica starts a `Scheduler`; before each run a job asks the replica's `Lease`
whether this process is the leader and skips the run when it is not, and a heartbeat job
keeps (or, on a standby, takes over) the lease in between. The leases, PostgreSQL's
advisory lock and SQLite's always-held one, are in bot/scheduler_lease.py.

The lease keeps two leaders from working at once in normal operation, but it is not a
guarantee (a leader may lose its connection in the middle of a job): every outward
effect must still be claimed by a unique database row before it is sent (docs/alerting.md).
"""

import logging
import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler_lease import LEASE_HEARTBEAT_S, Lease, LocalLease, PostgresLease, lease_for

__all__ = ["Lease", "LocalLease", "PostgresLease", "Scheduler", "lease_for"]

log = logging.getLogger("budgetbot.scheduler")

# A run that starts this late (busy workers, a suspended host) still runs, once.
MISFIRE_GRACE_S = 300
SHUTDOWN_WAIT_S = 10.0  # how long a stopping process lets running jobs finish


class Scheduler:
    """APScheduler 3's BackgroundScheduler (UTC) whose jobs run only while leading.

    Each run first calls `lease.try_acquire()` and is skipped when this process is not the
    leader. A job's exception is logged with its name and never stops the scheduler or
    later runs. A job never overlaps itself (`max_instances=1`) and missed runs collapse
    into one (`coalesce=True`), so a slow job does not pile up.
    """

    def __init__(self, lease: Lease, *, max_workers: int = 10) -> None:
        self._lease = lease
        self._leading = False
        self._stopped = False
        self._leading_lock = threading.Lock()
        self._scheduler: Any = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers)},
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE_S,
            },
        )

    @property
    def lease(self) -> Lease:
        return self._lease

    @property
    def leading(self) -> bool:
        """Whether this process led at its latest lease check."""
        return self._leading

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def add_interval(self, name: str, func: Callable[[], object], seconds: float) -> None:
        """Run `func` every `seconds`, the first time one interval after start."""
        if seconds <= 0:
            raise ValueError(f"job {name}: the interval must be positive, not {seconds}")
        self._add(name, func, IntervalTrigger(seconds=seconds, timezone=UTC))

    def add_cron(self, name: str, func: Callable[[], object], trigger: Any) -> None:
        """Run `func` on an APScheduler trigger, e.g. `CronTrigger(hour=9, timezone=tz)`."""
        self._add(name, func, trigger)

    def start(self) -> None:
        """Start; a heartbeat keeps (or, on a standby, takes over) the lease in between jobs."""
        self._scheduler.add_job(
            self._lead,
            IntervalTrigger(seconds=LEASE_HEARTBEAT_S, timezone=UTC),
            id="lease heartbeat",
            name="lease heartbeat",
            replace_existing=True,
        )
        self._scheduler.start()

    def shutdown(self, *, wait: bool = True, timeout: float = SHUTDOWN_WAIT_S) -> None:
        """Stop scheduling (with `wait`, let running jobs finish for up to `timeout`
        seconds, so that a post in flight gets its ts stored), then release the lease."""
        if self._scheduler.running:
            stopper = threading.Thread(
                target=self._scheduler.shutdown, kwargs={"wait": wait}, daemon=True
            )
            stopper.start()
            stopper.join(timeout)
            if stopper.is_alive():
                log.warning("stopping with jobs still running after %g s", timeout)
        with self._leading_lock:
            was_leading, self._leading = self._leading, False
            self._stopped = True  # a run still queued in the executor must not re-acquire
            self._lease.release()
        if was_leading:
            log.info("released the scheduler lease: no longer running scheduled jobs")

    def _add(self, name: str, func: Callable[[], object], trigger: Any) -> None:
        """Register (or replace) the job called `name`."""
        self._scheduler.add_job(
            self._run,
            trigger,
            args=(name, func),
            id=name,
            name=name,
            replace_existing=True,
        )

    def _run(self, name: str, func: Callable[[], object]) -> None:
        if not self._lead():
            log.debug("job %s skipped: another replica leads", name)
            return
        try:
            func()
        except Exception:
            log.exception("scheduled job %s failed", name)

    def _lead(self) -> bool:
        """Check the lease, logging when this process becomes or stops being the leader."""
        with self._leading_lock:
            was_leading = self._leading
            if self._stopped:
                return False
            try:
                self._leading = bool(self._lease.try_acquire())
            except Exception:  # a Lease should not raise; never let it kill the job
                log.exception("checking the scheduler lease failed")
                self._leading = False
            leading = self._leading
        if leading and not was_leading:
            log.info("this process is now the leader: running scheduled jobs")
        elif was_leading and not leading:
            log.warning("this process lost the scheduler lease: no longer running jobs")
        return leading
