"""Incident timings (DESIGN 9.4): detection, durations, response deadlines, escalation
times, spreads and stats, each against tables worked out by hand."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.incident_timings import (
    DURATIONS,
    AlertSeen,
    Spread,
    detection,
    durations,
    escalation_due,
    response_deadline,
    spread,
    stats,
)
from bot.domain.incidents import ImpactState, Incident, IncidentDraft, IncidentSeverity, SLOImpact
from bot.domain.slo import Catalog, Service, Team, Tier

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # the impact began
DECLARED = T0 + timedelta(minutes=30)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# -- detection -------------------------------------------------------------------------------

DETECTION = [
    # (what, alerts as (slo, posted minute, resolved minute | None), detected minute, SLO)
    ("no alert: the declaration", [], 30, None),
    ("before the start, resolved before it: ignored", [("a", -20, -5)], 30, None),
    ("before the start, resolved exactly at it: not firing then", [("a", -20, 0)], 30, None),
    ("before the start and still firing: detected at the start", [("a", -20, None)], 0, "a"),
    ("before the start, resolved after it: detected at the start", [("a", -20, 10)], 0, "a"),
    ("posted during the impact", [("a", 12, None)], 12, "a"),
    ("posted during and resolved before the declaration", [("a", 12, 20)], 12, "a"),
    ("posted exactly at the start", [("a", 0, None)], 0, "a"),
    ("posted exactly at the declaration", [("a", 30, None)], 30, "a"),
    ("posted after the declaration: ignored", [("a", 31, None)], 30, None),
    (
        "several SLOs: the earliest wins, whatever the order",
        [("late", 20, None), ("early", 7, 9), ("later", 25, None)],
        7,
        "early",
    ),
    (
        "one before the start still firing beats one during",
        [("during", 3, None), ("before", -60, None)],
        0,
        "before",
    ),
    (
        "ignored ones do not hide a later one",
        [("old", -60, -30), ("after", 45, None), ("during", 18, None)],
        18,
        "during",
    ),
]


@pytest.mark.parametrize(
    ("alerts", "minute", "slo"),
    [pytest.param(a, m, s, id=what) for what, a, m, s in DETECTION],
)
def test_detection(
    alerts: list[tuple[str, float, float | None]], minute: float, slo: str | None
) -> None:
    seen = [AlertSeen(name, _at(p), None if r is None else _at(r)) for name, p, r in alerts]
    assert detection(T0, DECLARED, seen) == (_at(minute), slo)


def test_detection_reads_any_iterable_once() -> None:
    seen = iter([AlertSeen("a", _at(5), None), AlertSeen("b", _at(2), None)])
    assert detection(T0, DECLARED, seen) == (_at(2), "b")


# -- durations -------------------------------------------------------------------------------


def _draft(
    services: tuple[str, ...] = ("checkout",), ended_at: datetime | None = None
) -> IncidentDraft:
    return IncidentDraft("Checkout errors", services, T0, ended_at, "", "U1", "C0PAY")


def _incident(
    *,
    services: tuple[str, ...] = ("checkout",),
    ended: float | None = None,
    computed: IncidentSeverity | None = None,
    override: IncidentSeverity | None = None,
    id: int = 1,
    **fields: Any,
) -> Incident:
    draft = _draft(services, None if ended is None else _at(ended))
    incident = Incident(id, draft, DECLARED, severity_computed=computed, severity_override=override)
    return replace(incident, **fields)


def test_durations_unknown_for_an_incident_without_timings() -> None:
    assert durations(_incident()) == dict.fromkeys(DURATIONS)


def test_durations_when_everything_is_known() -> None:
    incident = _incident(
        ended=95,
        detected_at=_at(5),
        acknowledged_at=_at(8),
        mitigated_at=_at(40),
        resolved_at=_at(100),
    )
    assert durations(incident) == {
        "time_to_detect_s": 300.0,  # detected 5 min after the start
        "time_to_acknowledge_s": 180.0,  # acknowledged 3 min after detection
        "time_to_mitigate_s": 2400.0,  # from the start, not from detection
        "time_to_resolve_s": 5700.0,  # the end of the impact, not the resolve click
    }


def test_durations_of_an_ongoing_incident() -> None:
    incident = _incident(detected_at=_at(0), acknowledged_at=_at(45))
    assert durations(incident) == {
        "time_to_detect_s": 0.0,
        "time_to_acknowledge_s": 2700.0,
        "time_to_mitigate_s": None,
        "time_to_resolve_s": None,
    }


def test_no_acknowledge_duration_without_a_detection() -> None:
    """An old incident (no detected_at) acknowledged later: nothing to measure from."""
    durations_ = durations(_incident(acknowledged_at=_at(45), ended=60))
    assert durations_["time_to_acknowledge_s"] is None
    assert durations_["time_to_resolve_s"] == 3600.0


# -- response deadlines ----------------------------------------------------------------------

CATALOG = Catalog(
    teams={"payments": Team("payments", "C0PAY")},
    services={
        "checkout": Service("checkout", "payments", Tier.PRODUCTION),
        "checkout-canary": Service("checkout-canary", "payments", Tier.STAGING),
        "sandbox": Service("sandbox", "payments", Tier.DEVELOPMENT),
    },
    slos=(),
    respond={
        Tier.PRODUCTION: {"SEV1": 15 * 60, "SEV2": 3600},
        Tier.STAGING: {"SEV2": 30 * 60, "SEV3": 4 * 3600},
    },
)
SEV1, SEV2, SEV3, SEV4 = (IncidentSeverity(f"SEV{n}") for n in range(1, 5))
BOTH = ("checkout", "checkout-canary")


@pytest.mark.parametrize(
    ("services", "severity", "seconds"),
    [
        pytest.param(("checkout",), SEV1, 900, id="production SEV1"),
        pytest.param(("checkout",), SEV2, 3600, id="production SEV2"),
        pytest.param(("checkout-canary",), SEV2, 1800, id="staging SEV2"),
        pytest.param(BOTH, SEV2, 1800, id="production and staging: the shorter wins"),
        pytest.param(tuple(reversed(BOTH)), SEV2, 1800, id="in either order"),
        pytest.param(BOTH, SEV1, 900, id="only production has a SEV1 deadline"),
        pytest.param(BOTH, SEV3, 4 * 3600, id="only staging has a SEV3 deadline"),
        pytest.param(BOTH, SEV4, None, id="a class without a deadline"),
        pytest.param(("sandbox",), SEV1, None, id="a tier without deadlines"),
        pytest.param(("gone",), SEV1, None, id="a service no longer in the catalog"),
        pytest.param(("gone", "checkout"), SEV1, 900, id="the known service counts"),
    ],
)
def test_response_deadline_by_tier_and_class(
    services: tuple[str, ...], severity: IncidentSeverity, seconds: int | None
) -> None:
    assert response_deadline(CATALOG, _incident(services=services, computed=severity)) == seconds


def test_no_deadline_without_a_class() -> None:
    assert response_deadline(CATALOG, _incident(services=BOTH)) is None
    assert escalation_due(CATALOG, _incident(services=BOTH)) is None


def test_the_override_sets_the_deadline() -> None:
    incident = _incident(computed=SEV4, override=SEV1)
    assert response_deadline(CATALOG, incident) == 900


def test_no_deadline_in_a_catalog_without_respond() -> None:
    catalog = replace(CATALOG, respond={})
    assert response_deadline(catalog, _incident(computed=SEV1)) is None
    assert escalation_due(catalog, _incident(computed=SEV1)) is None


# -- escalation_due --------------------------------------------------------------------------


def test_escalation_is_due_its_deadline_after_the_declaration() -> None:
    assert escalation_due(CATALOG, _incident(override=SEV2)) == DECLARED + timedelta(hours=1)
    shorter = _incident(services=BOTH, computed=SEV2)
    assert escalation_due(CATALOG, shorter) == DECLARED + timedelta(minutes=30)


def test_a_reclassification_restarts_the_clock_with_the_new_class_deadline() -> None:
    """Declared SEV2 (1 h); made SEV1 (15 min) 30 min later: due 45 min after declaration."""
    moved = DECLARED + timedelta(minutes=30)
    incident = _incident(override=SEV1, respond_from=moved)
    assert escalation_due(CATALOG, incident) == moved + timedelta(minutes=15)
    sev2 = _incident(override=SEV2, respond_from=moved)
    assert escalation_due(CATALOG, sev2) == moved + timedelta(hours=1)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"acknowledged_at": DECLARED + timedelta(minutes=1)}, id="acknowledged"),
        pytest.param({"resolved_at": DECLARED + timedelta(minutes=1)}, id="resolved"),
        pytest.param(
            {"acknowledged_at": DECLARED, "respond_from": DECLARED + timedelta(hours=1)},
            id="acknowledged before a reclassification",
        ),
    ],
)
def test_never_due_when_acknowledged_or_resolved(fields: dict[str, Any]) -> None:
    assert escalation_due(CATALOG, _incident(override=SEV1, **fields)) is None


def test_mitigated_alone_does_not_stop_the_escalation() -> None:
    incident = _incident(override=SEV1, mitigated_at=DECLARED + timedelta(minutes=1))
    assert escalation_due(CATALOG, incident) == DECLARED + timedelta(minutes=15)


# -- spread ----------------------------------------------------------------------------------


def _p90_by_hand(values: list[float]) -> float:
    """Linear interpolation between closest ranks: rank (n - 1) * 0.9 of the sorted values."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * 0.9
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def test_no_spread_without_values() -> None:
    assert spread([]) is None


def test_one_value_is_its_median_and_p90() -> None:
    assert spread([42.0]) == Spread(42.0, 42.0)


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        pytest.param([0.0, 100.0], 50.0, 90.0, id="two"),
        pytest.param([40.0, 10.0, 30.0, 20.0], 25.0, 37.0, id="four, unordered"),
        # rank 8.1 of 1..10: 9 + 0.1 x (10 - 9)
        pytest.param([float(n) for n in range(10, 0, -1)], 5.5, 9.1, id="one to ten"),
        # rank 4.5 of [60, 60, 120, 300, 600, 3600]: 600 + 0.5 x 3000
        pytest.param([600.0, 60.0, 3600.0, 120.0, 60.0, 300.0], 210.0, 2100.0, id="skewed"),
        pytest.param([7.0, 7.0, 7.0], 7.0, 7.0, id="all equal"),
    ],
)
def test_spread(values: list[float], median: float, p90: float) -> None:
    found = spread(values)
    assert found is not None
    assert found.median == pytest.approx(median)
    assert found.p90 == pytest.approx(p90)
    assert found.p90 == pytest.approx(_p90_by_hand(values))  # the same by the formula
    assert min(values) <= found.median <= found.p90 <= max(values)


# -- stats -----------------------------------------------------------------------------------


def _impact(slo: str, consumed: float | None) -> SLOImpact:
    return SLOImpact(slo, consumed, None, None)


def test_stats_counts_classes_sums_each_incidents_largest_share_and_spreads_times() -> None:
    incidents = [
        _incident(
            id=1,
            computed=SEV1,
            impacts=(_impact("a", 0.30), _impact("b", 0.10)),
            impact_state=ImpactState.KNOWN,
            detected_at=_at(10),
            acknowledged_at=_at(12),
            ended=60,
        ),
        _incident(
            id=2,
            computed=SEV3,
            override=SEV2,  # the override is its class
            impacts=(_impact("a", 0.015), _impact("c", None)),
            detected_at=_at(20),
            acknowledged_at=_at(30),
        ),
        _incident(id=3, computed=SEV2, impacts=(), detected_at=_at(30)),
        _incident(id=4, impacts=(_impact("a", None),), impact_state=ImpactState.UNKNOWN),
    ]
    found = stats(incidents)
    assert dict(found.by_class) == {"SEV1": 1, "SEV2": 2, "SEV3": 0, "SEV4": 0, "unknown": 1}
    assert found.budget_consumed == pytest.approx(0.30 + 0.015)  # not 0.10, not None
    detect = found.times["time_to_detect_s"]
    assert detect is not None and detect.median == 1200.0
    assert detect.p90 == pytest.approx(_p90_by_hand([600.0, 1200.0, 1800.0]))  # 1680
    acknowledge = found.times["time_to_acknowledge_s"]
    assert acknowledge is not None and acknowledge.median == pytest.approx(360.0)  # 120, 600
    assert found.times["time_to_mitigate_s"] is None
    assert found.times["time_to_resolve_s"] == Spread(3600.0, 3600.0)
    as_json = found.as_json()
    assert as_json["by_class"] == dict(found.by_class)
    times = as_json["times"]
    assert isinstance(times, dict)
    assert times["time_to_mitigate_s"] is None
    assert times["time_to_resolve_s"] == {"median": 3600.0, "p90": 3600.0}
    assert set(times) == set(DURATIONS)


def test_stats_of_nothing() -> None:
    found = stats([])
    assert dict(found.by_class) == {"SEV1": 0, "SEV2": 0, "SEV3": 0, "SEV4": 0}
    assert found.budget_consumed == 0.0
    assert dict(found.times) == dict.fromkeys(DURATIONS)
