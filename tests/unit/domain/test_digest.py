"""The weekly digest's pure parts: week keys across time zones and DST, verdicts, ranking,
the week's figures, and action items due and overdue."""

from datetime import UTC, date, datetime

import pytest

from bot.domain.digest import (
    ActionDue,
    SLOWeek,
    TeamDigest,
    actions_due,
    rank_teams,
    team_verdict,
    week_key,
)
from bot.domain.slo import Gate
from bot.services.digests import last_fire
from bot.slack.messages.digests import change_text

DAY = 86400
AT = datetime(2026, 11, 23, 8, tzinfo=UTC)  # a Monday


def slo(name: str, remaining: float | None, gate: Gate | None, **kw: object) -> SLOWeek:
    data = "ok" if remaining is not None else "no_data"
    return SLOWeek(name, "svc", 30 * DAY, data, None, remaining, gate=gate, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("at", "zone", "key"),
    [
        (datetime(2026, 11, 23, 8, tzinfo=UTC), "UTC", "2026-W48"),
        # Sunday 23:30 UTC is already Monday in Berlin: the next week there
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "Europe/Berlin", "2026-W49"),
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "UTC", "2026-W48"),
        # Monday 03:00 UTC is still Sunday in New York
        (datetime(2026, 11, 30, 3, tzinfo=UTC), "America/New_York", "2026-W48"),
        # ISO years: 1 January 2027 is a Friday of 2026-W53
        (datetime(2027, 1, 1, 12, tzinfo=UTC), "UTC", "2026-W53"),
        (datetime(2027, 1, 4, 12, tzinfo=UTC), "UTC", "2027-W01"),
    ],
)
def test_week_key_is_the_iso_week_in_the_team_time_zone(at: datetime, zone: str, key: str) -> None:
    assert week_key(at, zone) == key


def test_last_fire_keeps_local_time_across_the_dst_change() -> None:
    # Berlin leaves summer time on Sunday 25 October 2026: 09:00 local is 07:00 UTC before
    # and 08:00 UTC after.
    before = last_fire("0 9 * * MON", "Europe/Berlin", datetime(2026, 10, 20, tzinfo=UTC))
    after = last_fire("0 9 * * MON", "Europe/Berlin", datetime(2026, 10, 27, tzinfo=UTC))
    assert before == datetime(2026, 10, 19, 7, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 8, tzinfo=UTC)


def test_last_fire_is_the_latest_time_up_to_now_and_none_beyond_a_week() -> None:
    monday_9 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert last_fire("0 9 * * MON", "UTC", monday_9) == monday_9
    assert last_fire("0 9 * * MON", "UTC", datetime(2026, 11, 23, 8, 59, tzinfo=UTC)) == (
        datetime(2026, 11, 16, 9, tzinfo=UTC)
    )
    # the first of the month, when it falls more than a week back: nothing due
    assert last_fire("0 9 1 * *", "UTC", datetime(2026, 11, 20, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("slos", "verdict"),
    [
        ([], "no SLOs in the catalog"),
        ([slo("a", 0.9, Gate.OPEN), slo("b", 0.5, Gate.OPEN)], "on track"),
        (
            [slo("a", 0.2, Gate.CAUTION), slo("b", 0.1, Gate.CAUTION)],
            "slow down: 2 SLOs in caution",
        ),
        (
            [slo("a", 0.2, Gate.CAUTION), slo("export", -0.1, Gate.FROZEN)],
            "frozen: export has overspent",
        ),
        (
            [slo("a", -1, Gate.FROZEN), slo("b", 0, Gate.FROZEN), slo("c", -2, Gate.FROZEN)],
            "frozen: a, b and 1 more have overspent",
        ),
        ([slo("a", 0.9, Gate.OPEN), slo("b", None, None)], "unknown: 1 SLO without data (b)"),
        ([slo("a", 0.1, Gate.CAUTION), slo("b", None, None)], "slow down: 1 SLO in caution"),
    ],
)
def test_team_verdict(slos: list[SLOWeek], verdict: str) -> None:
    assert team_verdict(slos) == verdict


def test_change_and_time_to_exhaustion_at_this_week_s_rate() -> None:
    week = slo("a", 0.5, Gate.OPEN, remaining_week_ago=0.8, burn_week=2.0)
    assert week.change == pytest.approx(-0.3)
    # half the budget at twice the sustainable rate: half of half a 30-day window
    assert week.exhaustion == pytest.approx(0.5 * 30 * DAY / 2.0)
    assert slo("a", 0.5, Gate.OPEN, burn_week=0.0).exhaustion is None  # nothing spent
    assert slo("a", 0.5, Gate.OPEN, burn_week=None).exhaustion is None  # no traffic
    # at a burn rate of 1 or less a rolling budget never runs out
    assert slo("a", 0.1, Gate.CAUTION, burn_week=1.0).exhaustion is None
    assert slo("a", 0.1, Gate.CAUTION, burn_week=1.01).exhaustion == pytest.approx(
        0.1 * 30 * DAY / 1.01
    )
    assert slo("a", -0.2, Gate.FROZEN, burn_week=1.0).exhaustion == 0.0
    assert slo("a", 0.5, Gate.OPEN).change is None  # no figure a week ago
    assert slo("a", None, None).exhaustion is None


@pytest.mark.parametrize(
    ("elapsed", "change", "shown"),
    [
        (3 * DAY, None, "a new period began this week"),  # last month's budget is another one
        (7 * DAY - 1, None, "a new period began this week"),
        (7 * DAY, -0.3, "-30.0 pts this week"),
        (None, -0.3, "-30.0 pts this week"),  # a rolling window never resets
    ],
)
def test_the_week_s_change_never_crosses_a_period_s_reset(
    elapsed: int | None, change: float | None, shown: str
) -> None:
    week = slo("a", 0.6, Gate.OPEN, remaining_week_ago=0.9, period_elapsed=elapsed)
    assert week.change == (pytest.approx(change) if change is not None else None)
    assert change_text(week) == shown


def test_ranking_puts_the_worst_team_first() -> None:
    def team(name: str, *slos: SLOWeek) -> TeamDigest:
        return TeamDigest(name, AT, "2026-W48", slos)

    ranked = rank_teams(
        [
            team("calm", slo("a", 0.9, Gate.OPEN)),
            team("blind", slo("a", None, None)),
            team("tight", slo("a", 0.6, Gate.OPEN), slo("b", 0.2, Gate.CAUTION)),
            team("frozen", slo("a", -0.1, Gate.FROZEN)),
            team("calmer", slo("a", 0.95, Gate.OPEN)),
            team("tighter", slo("a", 0.05, Gate.CAUTION)),
        ]
    )
    assert [d.team for d in ranked] == ["frozen", "tighter", "tight", "blind", "calm", "calmer"]


def test_actions_due_splits_overdue_from_due_this_week() -> None:
    today = date(2026, 11, 23)

    def action(key: str, deadline: date) -> ActionDue:
        return ActionDue(key, "fix", "U1", deadline, 0)

    overdue, due = actions_due(
        [
            action("ACT-1", date(2026, 11, 30)),  # in 7 days: due
            action("ACT-2", date(2026, 12, 1)),  # in 8 days: not yet
            action("ACT-3", date(2026, 11, 20)),  # 3 days overdue
            action("ACT-4", today),  # due today
        ],
        today,
    )
    assert [(a.key, a.days_overdue) for a in overdue] == [("ACT-3", 3)]
    assert [a.key for a in due] == ["ACT-4", "ACT-1"]
