"""The transition rule of policy actions (DESIGN 9.5) and the webhook signature."""

import hashlib
import hmac
from dataclasses import replace
from itertools import product

import pytest

from bot.domain.burn import DEFAULT_RULES, FiringRule
from bot.domain.gate import GateDecision
from bot.domain.policies import ServiceState, carried, service_states, transitions
from bot.domain.policy_actions import (
    PolicyAction,
    PolicyEvent,
    fill,
    ordinal,
    template_problem,
)
from bot.domain.signature import sign, verify
from bot.domain.slo import Gate
from bot.domain.status import DataState, SLOStatus
from tests.support.fakes import CHECKOUT

E = PolicyEvent
GATE_EVENTS = {
    # (before, after): the events of a gate change, without page alerts
    (Gate.OPEN, Gate.OPEN): [],
    (Gate.OPEN, Gate.CAUTION): [E.CAUTION],
    (Gate.OPEN, Gate.FROZEN): [E.FROZEN],
    (Gate.CAUTION, Gate.OPEN): [E.OPEN],
    (Gate.CAUTION, Gate.CAUTION): [],
    (Gate.CAUTION, Gate.FROZEN): [E.FROZEN],
    (Gate.FROZEN, Gate.OPEN): [E.OPEN, E.RECOVERED],
    (Gate.FROZEN, Gate.CAUTION): [E.CAUTION],
    (Gate.FROZEN, Gate.FROZEN): [],
}


@pytest.mark.parametrize(("before", "after"), list(product(Gate, Gate)))
@pytest.mark.parametrize(("paged", "pages"), list(product((False, True), repeat=2)))
def test_every_pair_of_states(before: Gate, after: Gate, paged: bool, pages: bool) -> None:
    expected = list(GATE_EVENTS[(before, after)])
    if pages and not paged:
        expected.append(E.PAGE)
    got = transitions(ServiceState(before, paged), ServiceState(after, pages))
    assert list(got) == expected


def _walk(gates: list[Gate]) -> list[list[PolicyEvent]]:
    """The events of a service observed at each of `gates` in turn, recorded as it goes."""
    recorded = ServiceState(gates[0], frozen=gates[0] is Gate.FROZEN)
    events = []
    for gate in gates[1:]:
        observed = ServiceState(gate, frozen=gate is Gate.FROZEN)
        events.append(list(transitions(recorded, observed)))
        recorded = carried(recorded, observed)
    return events


@pytest.mark.parametrize(
    ("gates", "expected"),
    [
        # Back from a freeze by way of caution: open again is recovered too.
        ([Gate.FROZEN, Gate.CAUTION, Gate.OPEN], [[E.CAUTION], [E.OPEN, E.RECOVERED]]),
        # Caution, frozen, caution, caution, open: recovered once, at the end.
        (
            [Gate.CAUTION, Gate.FROZEN, Gate.CAUTION, Gate.CAUTION, Gate.OPEN],
            [[E.FROZEN], [E.CAUTION], [], [E.OPEN, E.RECOVERED]],
        ),
        # Never frozen: open after caution is no recovery.
        ([Gate.OPEN, Gate.CAUTION, Gate.OPEN], [[E.CAUTION], [E.OPEN]]),
        # Recovered once: the next caution and open are not a second recovery.
        (
            [Gate.FROZEN, Gate.OPEN, Gate.CAUTION, Gate.OPEN],
            [[E.OPEN, E.RECOVERED], [E.CAUTION], [E.OPEN]],
        ),
    ],
)
def test_recovered_follows_a_freeze_whichever_way_it_comes_back(
    gates: list[Gate], expected: list[list[PolicyEvent]]
) -> None:
    assert _walk(gates) == expected


@pytest.mark.parametrize("state", [ServiceState(g, p) for g in Gate for p in (False, True)])
def test_the_first_observation_and_no_data_make_no_event(state: ServiceState) -> None:
    assert transitions(None, state) == ()
    assert transitions(state, None) == ()
    assert transitions(None, None) == ()


def _status(
    service: str, gate: Gate | None, data: DataState = DataState.OK, **kw: object
) -> SLOStatus:
    slo = replace(CHECKOUT, name=f"{service}-{len(kw)}-{gate}", service=service)
    decision = GateDecision(gate, "why") if gate else None
    return SLOStatus(slo, data, gate=decision, budget_remaining=0.5, **kw)  # type: ignore[arg-type]


PAGE = (FiringRule(DEFAULT_RULES[0], 14.4, 20.0, 20.0),)


def test_a_services_state_is_its_worst_slo_and_its_open_page_alerts() -> None:
    statuses = [
        _status("a", Gate.OPEN),
        _status("a", Gate.FROZEN),
        _status("b", Gate.CAUTION),
        _status("c", Gate.OPEN),
        _status("c", None, DataState.NO_DATA),
        _status("d", Gate.OPEN, DataState.ERROR),
        _status("e", Gate.CAUTION, firing=PAGE),  # a page rule firing, but no page alert open
    ]
    paging = frozenset({statuses[2].slo.name})  # b's SLO: its page-level alert is open
    assert service_states(statuses, paging) == {
        "a": ServiceState(Gate.FROZEN, False, frozen=True),
        "b": ServiceState(Gate.CAUTION, True),
        "c": None,  # one SLO without data: the whole service is unknown
        "d": None,
        "e": ServiceState(Gate.CAUTION, False),  # the alert (hysteresis, tier, exclusion) decides
    }


def test_which_services_a_policy_covers() -> None:
    every = PolicyAction("all", E.FROZEN)
    assert every.applies("checkout", "payments", "production")
    named = PolicyAction(
        "some", E.FROZEN, services=frozenset({"checkout"}), teams=frozenset({"search"})
    )
    assert named.applies("checkout", "payments", "staging")
    assert named.applies("query", "search", "staging")
    assert not named.applies("ledger", "payments", "production")
    tiered = PolicyAction("prod", E.FROZEN, tiers=frozenset({"production"}))
    assert not tiered.applies("checkout", "payments", "staging")


def test_slack_text_templates() -> None:
    assert template_problem("{service} is frozen for the {day} day") is None
    assert "unknown placeholder {owner}" in str(template_problem("{owner} is late"))
    assert "not a valid template" in str(template_problem("{service"))
    text = fill(
        "{service} is {event} for the {day} day",
        {"service": "payments", "event": "frozen", "day": "3rd"},
    )
    assert text == "payments is frozen for the 3rd day"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


SECRET = "whsec-test"
TIMESTAMP = 1767225600  # 2026-01-01T00:00:00Z
BODY = b'{"id":"evt-1"}'
# Computed once with: hmac.new(b"whsec-test", b'1767225600.{"id":"evt-1"}', sha256).hexdigest()
KNOWN = "v1=c28f0c646107d6bb626923eb9b596fc5b82c9d688a78f949c6713d9c0d8edf6a"


def test_the_signature_matches_a_known_vector() -> None:
    assert sign(SECRET, TIMESTAMP, BODY) == KNOWN
    written_out = hmac.new(SECRET.encode(), f"{TIMESTAMP}.".encode() + BODY, hashlib.sha256)
    assert "v1=" + written_out.hexdigest() == KNOWN
    assert verify(SECRET, TIMESTAMP, BODY, KNOWN)
    assert not verify(SECRET, TIMESTAMP + 1, BODY, KNOWN)
    assert not verify("other", TIMESTAMP, BODY, KNOWN)
    assert not verify(SECRET, TIMESTAMP, BODY + b" ", KNOWN)
