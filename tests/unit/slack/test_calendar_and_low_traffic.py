"""A calendar SLO shows its period and what is left of it, and a burn held back for low
traffic is said, on every Slack surface: /slo and App Home lines, the alert, the digest."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.alerts import OpenAlert
from bot.domain.budget import Rates
from bot.domain.digest import SLOWeek
from bot.domain.slo import SLO, EventsSLI, Severity, Tier
from bot.domain.status import Reading, assess
from bot.domain.windows import Calendar
from bot.slack.messages.alerts import AlertMessages
from bot.slack.messages.digests import slo_text
from bot.slack.messages.figures import slo_line
from bot.slack.rendering import Renderer
from tests.support.slack_api import block_kit_problems

AT = datetime(2026, 11, 19, 12, tzinfo=UTC)
MONTHLY = SLO(
    "checkout-monthly",
    "checkout",
    "payments",
    Tier.PRODUCTION,
    99.5,
    Calendar.MONTH.nominal,
    EventsSLI("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}]))"),
    calendar=Calendar.MONTH,
)


def reading(bad: float, total: float) -> Reading:
    return Reading(Rates(1_900, 1_000_000), {3600: Rates(bad, total), 300: Rates(bad, total)})


def test_an_slo_line_shows_the_period() -> None:
    line = slo_line(assess(MONTHLY, reading(0, 1000), at=AT))
    assert line["objective"] == "99.5% over month (Nov 2026, 11 days to go)"
    assert line["remaining"] == "62.0%"


def test_a_burn_held_back_for_low_traffic_is_said_in_the_line() -> None:
    burning = reading(6, 70)  # 6 of 70 requests: 17x a 0.5 % budget in the hour
    held = assess(MONTHLY, burning, at=AT, min_events=1000)
    assert held.alert is None
    assert "page held back for low traffic: 70 events in 1h" in slo_line(held)["burns"]
    paged = assess(MONTHLY, burning, at=AT)
    assert paged.alert == "page" and "held back" not in slo_line(paged)["burns"]


def test_the_digest_line_names_the_period() -> None:
    week = SLOWeek(
        "checkout-monthly", "checkout", MONTHLY.window, "ok", remaining=0.62,
        remaining_week_ago=0.7, burn_now=0.5, burn_week=0.6, period="Nov 2026, 11 days to go",
    )  # fmt: skip
    assert "62.0% left · Nov 2026, 11 days to go (" in slo_text(week)


def test_the_alert_names_the_period() -> None:
    status = assess(MONTHLY, reading(50, 1000), at=AT)
    alert = OpenAlert(Severity.PAGE, AT, remaining_at_start=0.7, episode=1)
    message = AlertMessages(Renderer()).firing(status, alert, AT)
    assert "Nov 2026, 11 days to go" in str(message.blocks)
    assert block_kit_problems("message", {"text": message.text, "blocks": message.blocks}) == []


def test_a_calendar_budget_runs_out_by_its_own_arithmetic_or_outlasts_the_period() -> None:
    """A period's budget grows with its traffic: at burn b the share spent after t more
    seconds is (consumed x elapsed + b x t) / (elapsed + t); it runs out where that is 1,
    unless the period ends first."""
    status = assess(MONTHLY, reading(50, 1000), at=AT)  # 62 % left, 18.5 days in, 11.5 to go
    assert status.span is not None
    elapsed, left, consumed = status.span.elapsed, status.span.left, 0.38
    t = status.exhaustion(2.0)
    assert t is not None and t < left
    assert (consumed * elapsed + 2.0 * t) / (elapsed + t) == pytest.approx(1.0)
    assert status.exhaustion(1.5) is None  # it would run out after the month ends
    assert status.exhaustion(0.9) is None
    rolling = assess(replace(MONTHLY, calendar=None, window=30 * 86400), reading(50, 1000), at=AT)
    assert rolling.exhaustion(2.0) == pytest.approx(0.62 * 30 * 86400 / 2.0)


def test_the_digest_says_a_calendar_budget_lasts_the_period() -> None:
    week = SLOWeek(
        "checkout-monthly", "checkout", MONTHLY.window, "ok", remaining=0.62,
        remaining_week_ago=0.7, burn_now=1.5, burn_week=1.5, period="Nov 2026, 11 days to go",
        period_elapsed=int(18.5 * 86400), period_left=int(11.5 * 86400),
    )  # fmt: skip
    assert "lasts the period at this week's rate" in slo_text(week)
