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
) -> list[SLOStatus]:
    """Every SLO's budget, burn rates, alert and gate, all read at the instant `at`."""
    chosen = list(catalog.slos if slos is None else slos)
    readings = source.read(chosen, at, burn_windows(), progress)
    return [assess(slo, readings[slo.name], catalog.gate_policy(slo.tier)) for slo in chosen]
