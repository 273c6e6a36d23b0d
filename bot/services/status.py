"""Budget status of many SLOs at one instant."""

from collections.abc import Sequence
from datetime import datetime

from bot.domain.burn import burn_windows
from bot.domain.slo import SLO, Catalog
from bot.domain.status import SLOStatus, assess
from bot.metrics.source import MetricsSource, Progress


def evaluate_status(
    catalog: Catalog,
    source: MetricsSource,
    at: datetime,
    slos: Sequence[SLO] | None = None,
    progress: Progress | None = None,
    windows: Sequence[int] | None = None,
) -> list[SLOStatus]:
    """Every SLO's budget, burn rates, alert and gate, all read at the instant `at`.

    windows: the burn-rate windows to read (seconds); default the alert rules' windows.
    """
    chosen = list(catalog.slos if slos is None else slos)
    wanted = burn_windows() if windows is None else windows
    readings = source.read(chosen, at, wanted, progress)
    return [
        assess(
            slo,
            readings[slo.name],
            catalog.gate_policy(slo.tier),
            at=at,
            min_events=catalog.min_events(slo),
        )
        for slo in chosen
    ]
