"""Budget status of many SLOs at one instant, and a service's release gate."""

from collections.abc import Sequence
from datetime import datetime

from bot.domain.burn import burn_windows
from bot.domain.gate import GateDecision, worst_gate
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


def service_gate(statuses: Sequence[SLOStatus]) -> tuple[str, GateDecision] | None:
    """A service's gate is its worst SLO's; None when no SLO has a usable reading."""
    return worst_gate((s.slo.name, s.gate) for s in statuses if s.gate is not None)
