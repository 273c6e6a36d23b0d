"""The alert state machine: every transition, hysteresis, silences, outages, escalation."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.alerts import Action, AlertPolicy, OpenAlert, Watch, cap, decide
from bot.domain.burn import DEFAULT_RULES, FiringRule
from bot.domain.gate import GateDecision
from bot.domain.slo import SLO, EventsSLI, Gate, Severity, Tier
from bot.domain.status import DataState, SLOStatus

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)
SLO_ = SLO("s", "svc", "team", Tier.PRODUCTION, 99.9, 30 * 86400, EventsSLI("e", "t"))
POLICY = AlertPolicy(hysteresis=600, data_missing_after=900)
PAGE_RULE, TICKET_RULE = DEFAULT_RULES[0], DEFAULT_RULES[2]


def status(severity: Severity | None = None, data: DataState = DataState.OK) -> SLOStatus:
    if data is not DataState.OK:
        return SLOStatus(SLO_, data, "connection refused")
    rule = {Severity.PAGE: PAGE_RULE, Severity.TICKET: TICKET_RULE}.get(severity)  # type: ignore[call-overload]
    firing = (FiringRule(rule, 14.4, 20.0, 30.0),) if rule else ()
    return SLOStatus(
        SLO_,
        DataState.OK,
        budget_remaining=0.6,
        firing=firing,
        gate=GateDecision(Gate.OPEN, ""),
    )


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def firing(severity: Severity, **fields: object) -> Watch:
    return Watch(OpenAlert(severity, T0, 0.8, episode=7, **fields))  # type: ignore[arg-type]


def test_quiet_slo_stays_quiet() -> None:
    assert decide(Watch(), status(), T0, POLICY).actions == ()


@pytest.mark.parametrize("severity", [Severity.TICKET, Severity.PAGE])
def test_a_new_burn_opens_one_alert(severity: Severity) -> None:
    decision = decide(Watch(), status(severity), T0, POLICY)
    assert decision.actions == (Action.OPEN,)
    assert decision.watch.alert is not None
    assert (decision.watch.alert.severity, decision.watch.alert.started_at) == (severity, T0)
    assert decision.watch.alert.remaining_at_start == 0.6


def test_while_it_keeps_firing_nothing_is_posted() -> None:
    decision = decide(firing(Severity.PAGE), status(Severity.PAGE), at(1), POLICY)
    assert decision.actions == ()
    assert decision.watch.alert is not None and decision.watch.alert.episode == 7


def test_ticket_worsening_to_page_escalates_the_same_episode() -> None:
    decision = decide(firing(Severity.TICKET), status(Severity.PAGE), at(1), POLICY)
    assert decision.actions == (Action.ESCALATE,)
    assert decision.watch.alert is not None
    assert decision.watch.alert.severity is Severity.PAGE and decision.watch.alert.episode == 7


def test_page_calming_to_ticket_never_de_escalates() -> None:
    decision = decide(firing(Severity.PAGE), status(Severity.TICKET), at(1), POLICY)
    assert decision.actions == ()
    assert decision.watch.alert is not None and decision.watch.alert.severity is Severity.PAGE


def test_resolution_waits_for_the_hysteresis() -> None:
    first = decide(firing(Severity.PAGE), status(), at(1), POLICY)
    assert first.actions == ()
    assert first.watch.alert is not None and first.watch.alert.below_since == at(1)
    almost = decide(first.watch, status(), at(10.9), POLICY)
    assert almost.actions == () and almost.watch.alert is not None
    done = decide(almost.watch, status(), at(11), POLICY)
    assert done.actions == (Action.RESOLVE,) and done.watch.alert is None


def test_a_relapse_during_the_hysteresis_restarts_it() -> None:
    quiet = decide(firing(Severity.PAGE), status(), at(1), POLICY).watch
    relapse = decide(quiet, status(Severity.PAGE), at(5), POLICY)
    assert relapse.watch.alert is not None and relapse.watch.alert.below_since is None
    later = decide(relapse.watch, status(), at(12), POLICY)
    assert later.actions == ()  # quiet only since minute 12


def test_acknowledged_is_kept_until_resolution() -> None:
    watch = firing(Severity.TICKET, acknowledged_by="U1")
    decision = decide(watch, status(Severity.PAGE), at(1), POLICY)
    assert decision.watch.alert is not None and decision.watch.alert.acknowledged_by == "U1"


def test_silenced_escalation_waits_for_the_silence_and_the_alert_still_resolves() -> None:
    watch = firing(Severity.TICKET, silenced_until=at(60))
    held = decide(watch, status(Severity.PAGE), at(1), POLICY)
    assert held.actions == ()
    assert held.watch.alert is not None and held.watch.alert.severity is Severity.TICKET
    after = decide(held.watch, status(Severity.PAGE), at(61), POLICY)  # the silence has ended
    assert after.actions == (Action.ESCALATE,)
    quiet = decide(held.watch, status(), at(2), POLICY)
    assert decide(quiet.watch, status(), at(13), POLICY).actions == (Action.RESOLVE,)


def test_windows_without_traffic_hold_an_open_alert() -> None:
    blind = replace(status(), burn_rates={300: None, 3600: 0.2})
    held = decide(firing(Severity.PAGE, below_since=at(-30)), blind, at(1), POLICY)
    assert held.actions == () and held.watch.alert is not None
    assert held.watch.alert.below_since is None  # quiet must be proven with traffic
    assert decide(Watch(), blind, at(1), POLICY).actions == ()


@pytest.mark.parametrize("data", [DataState.ERROR, DataState.NO_DATA])
def test_an_outage_is_neither_a_burn_nor_a_resolution(data: DataState) -> None:
    quiet = decide(firing(Severity.PAGE), status(), at(1), POLICY).watch  # hysteresis running
    outage = decide(quiet, status(data=data), at(5), POLICY)
    assert outage.actions == ()
    assert outage.watch.alert is not None and outage.watch.alert.below_since is None
    back = decide(outage.watch, status(), at(30), POLICY)
    assert back.actions == ()  # the quiet time before the outage does not count
    assert decide(Watch(), status(data=data), T0, POLICY).watch.alert is None


def test_one_data_missing_warning_per_outage() -> None:
    watch = Watch()
    actions = []
    for minute in range(0, 40, 5):
        decision = decide(watch, status(data=DataState.ERROR), at(minute), POLICY)
        actions.extend(decision.actions)
        watch = decision.watch
    assert actions == [Action.DATA_MISSING]  # at minute 15, once
    assert watch.missing_since == T0 and watch.missing_warned
    back = decide(watch, status(), at(45), POLICY).watch
    assert back.missing_since is None and not back.missing_warned
    again = decide(back, status(data=DataState.ERROR), at(50), POLICY)
    assert decide(again.watch, status(data=DataState.ERROR), at(65), POLICY).actions == (
        Action.DATA_MISSING,
    )


def test_lower_tiers_only_ticket() -> None:
    staging = AlertPolicy(max_severity=Severity.TICKET)
    decision = decide(Watch(), status(Severity.PAGE), T0, staging)
    assert decision.watch.alert is not None and decision.watch.alert.severity is Severity.TICKET
    assert cap(Severity.TICKET, Severity.PAGE) is Severity.TICKET
    assert cap(None, Severity.TICKET) is None


def test_while_an_exclusion_runs_nothing_opens_escalates_or_resolves() -> None:
    excluding = replace(status(Severity.PAGE), excluding=True)
    assert decide(Watch(), excluding, T0, POLICY) == decide(Watch(), status(), T0, POLICY)
    held = decide(firing(Severity.TICKET), excluding, at(1), POLICY)
    assert held.actions == () and held.watch.alert is not None
    quiet = replace(status(), excluding=True)
    for minute in (1, 30, 120):  # far past the hysteresis: held, not resolved
        decision = decide(firing(Severity.PAGE), quiet, at(minute), POLICY)
        assert decision.actions == () and decision.watch.alert is not None
    after = decide(
        decide(firing(Severity.PAGE), status(), at(121), POLICY).watch, status(), at(131), POLICY
    )
    assert after.actions == (Action.RESOLVE,)  # once it ended, the hysteresis as ever


def test_a_window_excluded_whole_is_no_outage() -> None:
    quiet = replace(status(data=DataState.NO_DATA), excluding=True)
    for minute in (0, 30, 60):  # past data_missing_after: still no warning
        decision = decide(Watch(), quiet, at(minute), POLICY)
        assert decision.actions == () and decision.watch.missing_since is None
