"""The digest's incident times (DESIGN 9.4): each week's medians of the four durations, the
week boundaries, unknown durations left out, and the teams ranked by time to resolve. The
expected figures are worked out by hand from the tables."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.domain.digest import TeamDigest, weeks_back
from bot.domain.digest_incidents import (
    STAGES,
    IncidentTimes,
    TeamTTR,
    incident_times,
    pooled_ttr,
    rank_by_ttr,
)
from bot.domain.incidents import Incident, IncidentDraft

AT = datetime(2026, 11, 23, 8, tzinfo=UTC)  # the digest's instant, a Monday
DAY = timedelta(days=1)
MIN = 60.0


def incident(
    started: datetime,
    *,
    detect: float | None = None,
    ack: float | None = None,
    mitigate: float | None = None,
    resolve: float | None = None,
) -> Incident:
    """An incident whose impact began at `started`: detected `detect` minutes later,
    acknowledged `ack` minutes after detection, mitigated and resolved `mitigate` and
    `resolve` minutes after it began (None: not yet)."""

    def after(base: datetime | None, minutes: float | None) -> datetime | None:
        return None if base is None or minutes is None else base + timedelta(minutes=minutes)

    detected = after(started, detect)
    draft = IncidentDraft("t", ("checkout",), started, after(started, resolve), "", "U1", "")
    return Incident(
        id=1,
        draft=draft,
        declared_at=detected or started,
        detected_at=detected,
        acknowledged_at=after(detected, ack),
        mitigated_at=after(started, mitigate),
    )


def medians(times: tuple[IncidentTimes, ...], stage: str) -> list[float | None]:
    return [w.median(stage) for w in times]


WHOLE = {"detect": 5, "ack": 3, "mitigate": 20, "resolve": 60}


def test_weeks_back_are_the_digest_week_then_four_before_without_gaps() -> None:
    weeks = weeks_back(AT)
    assert len(weeks) == 5
    assert weeks[0] == (AT - 7 * DAY, AT)
    assert weeks[-1] == (AT - 35 * DAY, AT - 28 * DAY)
    for (start, _), (_, end) in pairwise(weeks):
        assert start == end  # each week begins where the one before it ends


def test_no_incident_gives_five_empty_weeks() -> None:
    times = incident_times([], weeks_back(AT), AT)
    assert [w.incidents for w in times] == [0] * 5
    for stage in STAGES:
        assert medians(times, stage) == [None] * 5


def test_one_whole_incident_this_week() -> None:
    [this, *before] = incident_times([incident(AT - 2 * DAY, **WHOLE)], weeks_back(AT), AT)
    assert this.incidents == 1
    assert this.median("detect") == 5 * MIN
    assert this.median("acknowledge") == 3 * MIN  # after detection, not after the start
    assert this.median("mitigate") == 20 * MIN
    assert this.median("resolve") == 60 * MIN
    assert all(w.incidents == 0 and w.median("resolve") is None for w in before)


def test_medians_of_odd_and_even_counts_in_their_own_weeks() -> None:
    week1 = [incident(AT - 9 * DAY, resolve=m) for m in (90, 10, 30)]  # median 30
    week3 = [incident(AT - 23 * DAY, resolve=m) for m in (10, 20)]  # median 15
    times = incident_times(week1 + week3, weeks_back(AT), AT)
    assert [w.incidents for w in times] == [0, 3, 0, 2, 0]
    assert medians(times, "resolve") == [None, 30 * MIN, None, 15 * MIN, None]


def test_unknown_durations_are_left_out_not_counted_as_zero() -> None:
    found = [
        incident(AT - 3 * DAY, detect=4, ack=None, mitigate=None, resolve=None),  # ongoing
        incident(AT - 4 * DAY, detect=None, resolve=100),  # from before timings were kept
        incident(AT - 5 * DAY, detect=10, ack=6, mitigate=30, resolve=40),
    ]
    [this, *_] = incident_times(found, weeks_back(AT), AT)
    assert this.incidents == 3
    assert this.detect == (4 * MIN, 10 * MIN) and this.median("detect") == 7 * MIN
    assert this.acknowledge == (6 * MIN,)  # the one without detection has no acknowledge
    assert this.mitigate == (30 * MIN,)
    assert this.median("resolve") == 70 * MIN  # of 100 and 40


@pytest.mark.parametrize(
    ("started", "week"),
    [
        pytest.param(AT, 0, id="at the digest's instant: this week"),
        pytest.param(AT - 7 * DAY + timedelta(seconds=1), 0, id="just inside this week"),
        pytest.param(AT - 7 * DAY, 1, id="on the boundary: the earlier week"),
        pytest.param(AT - 28 * DAY - timedelta(seconds=1), 4, id="in the fourth week before"),
        pytest.param(AT - 35 * DAY, None, id="on the last boundary: before all five"),
        pytest.param(AT - 40 * DAY, None, id="long before"),
        pytest.param(AT + timedelta(seconds=1), None, id="after the digest's instant"),
    ],
)
def test_an_incident_counts_in_the_week_it_started_in(started: datetime, week: int | None) -> None:
    found = [incident(started, resolve=0)]  # resolved as it began, so known at AT too
    times = incident_times(found, weeks_back(AT), AT + timedelta(minutes=1))
    expected = [0] * 5
    if week is not None:
        expected[week] = 1
    assert [w.incidents for w in times] == expected


def test_a_replayed_digest_sees_only_the_durations_known_at_its_instant() -> None:
    started = AT - 2 * DAY
    found = [incident(started, detect=5, ack=10, mitigate=60, resolve=3 * 24 * 60)]
    at = started + timedelta(minutes=30)  # detected and acknowledged, not mitigated yet
    [this, *_] = incident_times(found, weeks_back(at), at)
    assert this.incidents == 1
    assert this.detect == (5 * MIN,) and this.acknowledge == (10 * MIN,)
    assert this.mitigate == () and this.resolve == ()


def digest(team: str, *weekly_resolves: tuple[float, ...]) -> TeamDigest:
    """A team digest whose weeks (this one first) resolved incidents in these minutes."""
    weeks = weeks_back(AT)
    times = tuple(
        IncidentTimes(s, e, len(r), resolve=tuple(m * MIN for m in r))
        for (s, e), r in zip(weeks, (*weekly_resolves, (), (), (), (), ()), strict=False)
    )
    return TeamDigest(team, AT, "2026-W48", (), times=times)


def test_the_ttr_is_pooled_over_the_latest_four_weeks() -> None:
    # medians per week would be 10, 100, 20: pooled, the median of 10, 12, 100, 20, 30 is 20
    d = digest("payments", (10, 12), (100,), (), (20, 30), (1000, 2000, 3000))
    assert d.ttr == TeamTTR("payments", 20 * MIN, 5)  # the fifth week is left out
    assert pooled_ttr("x", d.times, weeks=1) == TeamTTR("x", 11 * MIN, 2)


def test_teams_are_ranked_fastest_first_and_those_without_resolved_incidents_last() -> None:
    teams = [
        digest("zeta", (), (), (), (), (5,)).ttr,  # only the fifth week: nothing to rank
        digest("slow", (240,)).ttr,
        digest("fast", (), (15,)).ttr,
        digest("alpha").ttr,
        digest("tied-b", (60,)).ttr,
        digest("tied-a", (30, 90)).ttr,
    ]
    ranked = rank_by_ttr(teams)
    assert [t.team for t in ranked] == ["fast", "tied-a", "tied-b", "slow", "alpha", "zeta"]
    assert [t.median for t in ranked] == [15 * MIN, 60 * MIN, 60 * MIN, 240 * MIN, None, None]
