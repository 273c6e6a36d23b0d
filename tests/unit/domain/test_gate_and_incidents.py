"""Release gate and incident classes (docs/architecture.md, Budget math)."""

import pytest

from bot.domain.gate import GateDecision, decide_gate, worst_gate
from bot.domain.incidents import IncidentImpact, IncidentSeverity, classify
from bot.domain.slo import Gate, GatePolicy, Severity, SeverityThresholds


@pytest.mark.parametrize(
    ("left", "alert", "policy", "expected"),
    [
        (0.9, None, GatePolicy(), Gate.OPEN),
        (0.26, None, GatePolicy(), Gate.OPEN),
        (0.25, None, GatePolicy(), Gate.CAUTION),
        (0.01, None, GatePolicy(), Gate.CAUTION),
        (0.0, None, GatePolicy(), Gate.FROZEN),
        (-1.5, None, GatePolicy(), Gate.FROZEN),
        (0.9, Severity.PAGE, GatePolicy(), Gate.CAUTION),
        (0.9, Severity.TICKET, GatePolicy(), Gate.OPEN),
        (0.9, Severity.PAGE, GatePolicy(caution_on_page=False), Gate.OPEN),
        (-0.5, None, GatePolicy(may_freeze=False), Gate.CAUTION),
        (0.4, None, GatePolicy(caution_below=0.5), Gate.CAUTION),
        (0.05, None, GatePolicy(freeze_below=0.1), Gate.FROZEN),
    ],
)
def test_gate(left: float, alert: Severity | None, policy: GatePolicy, expected: Gate) -> None:
    decision = decide_gate(left, alert, policy)
    assert decision.gate is expected
    assert decision.reason


def test_frozen_reason_says_what_may_ship() -> None:
    assert "only P0 and security fixes" in decide_gate(-0.2, None).reason


def test_a_service_gate_is_its_worst_slo() -> None:
    decisions = [
        ("a", GateDecision(Gate.OPEN, "")),
        ("b", GateDecision(Gate.FROZEN, "x")),
        ("c", GateDecision(Gate.CAUTION, "")),
    ]
    assert worst_gate(decisions) == ("b", GateDecision(Gate.FROZEN, "x"))
    assert worst_gate([]) is None


@pytest.mark.parametrize(
    ("consumed", "expected"),
    [
        (0.50, IncidentSeverity.SEV1),
        (0.20, IncidentSeverity.SEV1),
        (0.1999, IncidentSeverity.SEV2),
        (0.05, IncidentSeverity.SEV2),
        (0.0499, IncidentSeverity.SEV3),
        (0.01, IncidentSeverity.SEV3),
        (0.0099, IncidentSeverity.SEV4),
        (0.0, IncidentSeverity.SEV4),
    ],
)
def test_default_classes(consumed: float, expected: IncidentSeverity) -> None:
    assert classify(consumed) is expected


def test_classes_follow_the_catalog() -> None:
    strict = SeverityThresholds(sev1=0.10, sev2=0.02, sev3=0.005)
    assert classify(0.12, strict) is IncidentSeverity.SEV1
    assert classify(0.012, strict) is IncidentSeverity.SEV3


def test_impact_is_bad_events_over_the_budget_in_events() -> None:
    # 99.9 % over 10 million requests allows 10,000 bad ones; 1,000 is a tenth of that.
    impact = IncidentImpact(bad_events=1000, total_events=4000, window_events=1e7, budget=0.001)
    assert impact.budget_consumed == pytest.approx(0.1)
    assert impact.error_ratio == pytest.approx(0.25)
    assert classify(impact.budget_consumed or 0) is IncidentSeverity.SEV2


def test_impact_without_traffic_is_unknown() -> None:
    impact = IncidentImpact(bad_events=0, total_events=0, window_events=0, budget=0.001)
    assert impact.budget_consumed is None
    assert impact.error_ratio is None


def test_impact_when_the_incident_window_had_no_traffic_is_unknown() -> None:
    impact = IncidentImpact(bad_events=0, total_events=0, window_events=1e7, budget=0.001)
    assert impact.budget_consumed is None  # not 0: that would read as SEV4


def test_service_verdict() -> None:
    from bot.domain.gate import service_verdict

    open_ = GateDecision(Gate.OPEN, "fine")
    caution = GateDecision(Gate.CAUTION, "10% left")
    frozen = GateDecision(Gate.FROZEN, "exhausted")
    assert service_verdict([]).allowed
    assert service_verdict([("a", open_, ""), ("b", caution, "")]) == (
        service_verdict([("b", caution, "")])
    )
    verdict = service_verdict([("a", open_, ""), ("b", caution, "")])
    assert (verdict.decision, verdict.allowed, verdict.reason) == ("caution", True, "b: 10% left")
    held = service_verdict([("a", frozen, ""), ("b", caution, "")])
    assert (held.decision, held.allowed) == ("frozen", False)
    blind = service_verdict([("a", open_, ""), ("b", None, "no series")])
    assert (blind.decision, blind.allowed) == ("unknown", False) and "b (no series)" in blind.reason
    let_through = service_verdict([("a", frozen, "")], override="<@U1> until 12:00: hotfix")
    assert (let_through.decision, let_through.allowed) == ("frozen", True)
    assert "hotfix" in let_through.reason


def test_the_owning_teams_follow_the_incident_s_services() -> None:
    from datetime import UTC, datetime

    from bot.domain.incidents import Incident, IncidentDraft, owning_team, owning_teams
    from bot.domain.slo import Catalog, Service, Team

    catalog = Catalog(
        teams={"pay": Team("pay", "C1"), "search": Team("search", "C2")},
        services={
            "search": Service("search", "search"),
            "checkout": Service("checkout", "pay"),
            "cart": Service("cart", "pay"),
        },
        slos=(),
    )
    at = datetime(2026, 3, 2, tzinfo=UTC)
    draft = IncidentDraft("x", ("search", "gone", "checkout", "cart"), at, None, "", "U1", "")
    incident = Incident(1, draft, at)
    assert owning_teams(catalog, incident) == ["search", "pay"]  # service order, once each
    assert owning_team(catalog, incident) == "search"
    assert owning_team(catalog, None) is None
