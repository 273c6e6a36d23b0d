"""Multi-window multi-burn-rate decisions (SRE Workbook ch. 5; docs/architecture.md)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.burn import (
    DAY,
    DEFAULT_RULES,
    HOUR,
    alert_severity,
    burn_windows,
    firing_rules,
)
from bot.domain.slo import Severity

M = 60
B = 0.001  # 99.9 %


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (30 * DAY, [14.4, 6.0, 3.0, 1.0]),
        (28 * DAY, [13.44, 5.6, 2.8, 0.9333333]),
        (7 * DAY, [3.36, 1.4, 0.7, 0.2333333]),
    ],
)
def test_factors_scale_with_the_window(period: int, expected: list[float]) -> None:
    got = [rule.factor(period, B) for rule in DEFAULT_RULES]
    assert got == pytest.approx(expected, rel=1e-6)


def test_factor_is_clamped_to_one_over_budget() -> None:
    # 90 % leaves B = 0.1: no burn rate can exceed 10, so 14.4 becomes 10.
    assert DEFAULT_RULES[0].factor(30 * DAY, 0.1) == pytest.approx(10.0)
    everything_fails = dict.fromkeys(burn_windows(), 10.0)
    fired = firing_rules(everything_fails, 30 * DAY, 0.1)
    assert alert_severity(fired) is Severity.PAGE


def test_the_seven_windows() -> None:
    assert burn_windows() == (5 * M, 30 * M, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY)


def rates(**by_window: float | None) -> dict[int, float | None]:
    names = {"m5": 5 * M, "m30": 30 * M, "h1": HOUR, "h2": 2 * HOUR, "h6": 6 * HOUR}
    names |= {"d1": DAY, "d3": 3 * DAY}
    base: dict[int, float | None] = dict.fromkeys(burn_windows(), 0.0)
    base.update({names[k]: v for k, v in by_window.items()})
    return base


@pytest.mark.parametrize(
    ("case", "burns", "expected"),
    [
        ("quiet", rates(), None),
        ("fast burn, both windows", rates(h1=15.0, m5=20.0), Severity.PAGE),
        ("long window only (burn already over)", rates(h1=15.0, m5=0.5), None),
        ("short window only (a blip)", rates(h1=2.0, m5=50.0), None),
        ("exactly at the factor does not fire", rates(h1=14.4, m5=14.4), None),
        ("6h/30m page", rates(h6=7.0, m30=8.0), Severity.PAGE),
        ("1d/2h ticket", rates(d1=3.5, h2=4.0), Severity.TICKET),
        ("3d/6h ticket", rates(d3=1.2, h6=1.5), Severity.TICKET),
        ("page wins over ticket", rates(d3=20.0, h6=20.0, h1=20.0, m5=20.0), Severity.PAGE),
        ("no traffic in the short window", rates(h1=30.0, m5=None), None),
        ("no traffic in the long window", rates(h1=None, m5=30.0), None),
    ],
)
def test_alert_decision(case: str, burns: dict[int, float | None], expected: Severity) -> None:
    assert alert_severity(firing_rules(burns, 30 * DAY, B)) is expected, case


def test_firing_reports_which_windows_and_factor() -> None:
    (fired,) = firing_rules(rates(h1=15.0, m5=20.0), 30 * DAY, B)
    assert (fired.rule.long_window, fired.rule.short_window) == (HOUR, 5 * M)
    assert fired.factor == pytest.approx(14.4)
    assert (fired.long_rate, fired.short_rate) == (15.0, 20.0)


@given(st.dictionaries(st.sampled_from(burn_windows()), st.none()))
def test_no_alert_without_traffic(none_windows: dict[int, None]) -> None:
    burns: dict[int, float | None] = dict.fromkeys(burn_windows(), None)
    burns.update(none_windows)
    assert firing_rules(burns, 30 * DAY, B) == ()


@given(
    st.lists(st.floats(min_value=0, max_value=1000), min_size=7, max_size=7),
    st.floats(min_value=1.0, max_value=100.0),
)
def test_burning_faster_never_silences_an_alert(values: list[float], k: float) -> None:
    burns = dict(zip(burn_windows(), values, strict=True))
    faster = {w: v * k for w, v in burns.items()}
    slow = {f.rule for f in firing_rules(burns, 30 * DAY, B)}
    fast = {f.rule for f in firing_rules(faster, 30 * DAY, B)}
    assert slow <= fast
