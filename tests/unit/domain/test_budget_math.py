"""Budget arithmetic against docs/architecture.md, Budget math."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import budget as b

ratios = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
objectives = st.floats(min_value=50.0, max_value=99.999, allow_nan=False)


@pytest.mark.parametrize(
    ("bad", "total", "expected"),
    [
        (1.0, 1000.0, 0.001),
        (0.0, 1000.0, 0.0),
        (1000.0, 1000.0, 1.0),  # all bad
        (0.0, 0.0, None),  # no traffic: no ratio, never 0 and never NaN
        (5.0, 0.0, None),
        (float("nan"), 10.0, None),
    ],
)
def test_error_ratio(bad: float, total: float, expected: float | None) -> None:
    got = b.Rates(bad, total).error_ratio
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("ratio", "objective", "expected"),
    [
        (0.001, 99.9, 1.0),  # burning exactly the budget
        (0.0144, 99.9, 14.4),
        (1.0, 99.9, 1000.0),  # all bad: 1/B
        (0.0, 99.9, 0.0),
        (None, 99.9, None),  # no traffic
        (0.0, 100.0, 0.0),  # no budget, no errors
        (0.01, 100.0, math.inf),  # no budget, any error
    ],
)
def test_burn_rate(ratio: float | None, objective: float, expected: float | None) -> None:
    got = b.burn_rate(ratio, 1 - objective / 100)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_overspent_budget_leaves_negative_remaining() -> None:
    assert b.remaining(0.002, 0.001) == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("left", "burn", "window", "expected"),
    [
        (1.0, 1.0, 30 * 86400, 30 * 86400),  # burn 1 spends the budget in one window
        (0.5, 14.4, 30 * 86400, 0.5 * 30 * 86400 / 14.4),
        (0.0, 2.0, 86400, 0.0),
        (-0.3, 2.0, 86400, 0.0),
        (0.5, 0.0, 86400, None),
        (0.5, None, 86400, None),
    ],
)
def test_seconds_to_exhaustion(
    left: float, burn: float | None, window: int, expected: float | None
) -> None:
    got = b.seconds_to_exhaustion(left, burn, window)
    assert got == (pytest.approx(expected) if expected is not None else None)


@given(ratios, objectives)
def test_remaining_is_one_minus_consumed(ratio: float, objective: float) -> None:
    budget = 1 - objective / 100
    assert b.remaining(ratio, budget) == pytest.approx(1 - b.consumed(ratio, budget))


@given(ratios, objectives, st.floats(min_value=0.0, max_value=1.0))
def test_burn_rate_scales_linearly(ratio: float, objective: float, k: float) -> None:
    budget = 1 - objective / 100
    scaled, base = b.burn_rate(ratio * k, budget), b.burn_rate(ratio, budget)
    assert scaled is not None and base is not None
    assert scaled == pytest.approx(k * base, rel=1e-9, abs=1e-12)
