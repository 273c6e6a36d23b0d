"""Weekly digests on fast fakes: the real DigestData over a settable source and an
in-memory database, a recording notifier, and a recording chart drawer (drawing a real
chart takes about 0.1 s; tests/unit/test_charts.py draws them)."""

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from bot.charts import BudgetChart
from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.digest import week_key
from bot.domain.incidents import IncidentDraft
from bot.domain.slo import Catalog, Service, Team
from bot.services.digest_data import CHART_POINTS, DigestData
from bot.services.digests import PLATFORM, DigestOutcome, Digests, DigestState
from bot.slack.messages.digests import DigestMessages
from bot.slack.rendering import Renderer
from storage.gates import GateRecord
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import CHECKOUT, T0, FakeNotifier, FakeSource, refused, timed_out

MESSAGES = DigestMessages(Renderer())
SEARCH = replace(CHECKOUT, name="search-availability", service="search", team="search")
CATALOG = Catalog(
    teams={
        "payments": Team("payments", "C0PAY", "0 9 * * MON"),
        "search": Team("search", "C0SRCH", None),  # no scheduled digest
    },
    services={"checkout": Service("checkout", "payments"), "search": Service("search", "search")},
    slos=(CHECKOUT, SEARCH),
    platform=Team("platform", "C0PLAT", "0 10 * * MON"),
)
WEEK = week_key(T0, "UTC")  # T0: Monday 12:00 UTC, after both crontabs fired


class Drawer:
    """Records the charts it is asked to draw; fails when told."""

    def __init__(self) -> None:
        self.charts: list[BudgetChart] = []
        self.fail: Exception | None = None

    def __call__(self, chart: BudgetChart) -> bytes:
        if self.fail is not None:
            raise self.fail
        self.charts.append(chart)
        return b"\x89PNG chart"


@dataclass
class Setup:
    digests: Digests
    data: DigestData
    source: FakeSource
    slack: FakeNotifier
    draw: Drawer
    uow: UnitOfWork

    def claimed(self, team: str = "payments", week: str = WEEK) -> bool:
        with self.uow.read() as store:
            return store.digests.get(team, week) is not None


@pytest.fixture
def setup(uow: UnitOfWork) -> Setup:
    source, slack, draw = FakeSource(spent=0.4), FakeNotifier(), Drawer()
    data = DigestData(CATALOG, source, uow)
    return Setup(Digests(CATALOG, data, uow, slack, MESSAGES, draw), data, source, slack, draw, uow)


def outcome(team: str, state: DigestState, detail: str = "") -> DigestOutcome:
    return DigestOutcome(team, WEEK, state, detail)


def test_a_team_digest_is_posted_once_a_week_with_its_chart(setup: Setup) -> None:
    assert setup.digests.post("payments", T0) == outcome("payments", DigestState.POSTED)
    [post] = setup.slack.posts
    assert post.channel == "C0PAY"
    assert post.text == "Weekly error budget digest for payments: on track"
    [upload] = setup.slack.uploads
    assert (upload.channel, upload.content) == ("C0PAY", b"\x89PNG chart")
    assert upload.filename == f"budget-payments-{WEEK}.png"
    [chart] = setup.draw.charts
    [series] = chart.series  # the team's own SLO only
    assert series.slo == CHECKOUT.name and len(series.points) == CHART_POINTS + 1
    last, remaining = series.points[-1]
    assert last == T0 and remaining == pytest.approx(0.6)  # 40 % of the budget spent
    again = setup.digests.post("payments", T0 + timedelta(days=2))
    assert again == outcome("payments", DigestState.ALREADY_POSTED)
    assert len(setup.slack.posts) == 1
    next_week = setup.digests.post("payments", T0 + timedelta(days=7))
    assert next_week.state is DigestState.POSTED and len(setup.slack.posts) == 2


def test_the_digest_holds_the_teams_figures_incidents_actions_and_held_deploys(
    setup: Setup,
) -> None:
    setup.source.burn = 2.0
    started = T0 - timedelta(days=2)
    with setup.uow.begin() as store:
        ours = store.incidents.declare(
            IncidentDraft("checkout down", ("checkout",), started, None, "", "U1", ""), started
        )
        theirs = store.incidents.declare(
            IncidentDraft("search slow", ("search",), started, None, "", "U1", ""), started
        )
        assert ours is not None and theirs is not None
        late = NewAction("fix retries", "U2", T0.date() - timedelta(days=1), Priority.P1,
                         ActionKind.PREVENT)  # fmt: skip
        store.postmortems.add_action(ours, late, "U1", started)
        store.postmortems.add_action(theirs, replace(late, owner="U3"), "U1", started)
        for service, allowed in (("checkout", False), ("checkout", True), ("search", False)):
            verdict = "open" if allowed else "frozen"
            store.gates.record(GateRecord(service, verdict, allowed, "", "cli", started))
    digest = setup.data.digest("payments", T0)
    [line] = digest.slos
    assert line.slo == CHECKOUT.name and line.data == "ok"
    assert line.remaining == pytest.approx(0.6) and line.remaining_week_ago == pytest.approx(0.6)
    assert line.burn_now == pytest.approx(2.0) and line.burn_week == pytest.approx(2.0)
    assert [i.key for i in digest.incidents] == [f"INC-{ours}"]
    assert [(a.owner, a.days_overdue) for a in digest.overdue] == [("U2", 1)]
    assert digest.held_deploys == 1


def test_prometheus_down_postpones_the_digest_without_claiming_it(setup: Setup) -> None:
    setup.source.go_down()
    postponed = setup.digests.post("payments", T0)
    assert postponed.state is DigestState.POSTPONED and "unreachable" in postponed.detail
    assert setup.slack.posts == [] and not setup.claimed()
    setup.source.come_back()
    assert setup.digests.post("payments", T0 + timedelta(hours=1)).state is DigestState.POSTED


def test_a_refused_post_gives_the_week_back(setup: Setup) -> None:
    setup.slack.fail_next(refused(), "post")
    assert setup.digests.post("payments", T0) == outcome(
        "payments", DigestState.FAILED, "connection refused"
    )
    assert not setup.claimed() and setup.slack.uploads == []
    assert setup.digests.post("payments", T0).state is DigestState.POSTED
    assert len(setup.slack.posts) == 1


def test_a_post_that_may_have_arrived_keeps_its_claim_until_forced(setup: Setup) -> None:
    setup.slack.fail_next(timed_out(), "post")
    assert setup.digests.post("payments", T0).state is DigestState.FAILED
    assert setup.claimed()
    again = setup.digests.post("payments", T0)
    assert again.state is DigestState.ALREADY_POSTED and "never confirmed" in again.detail
    assert setup.slack.posts == []
    assert setup.digests.post("payments", T0, force=True).state is DigestState.POSTED
    assert len(setup.slack.posts) == 1


def test_a_chart_that_fails_leaves_the_digest_posted(setup: Setup) -> None:
    setup.draw.fail = RuntimeError("no fonts")
    posted = setup.digests.post("payments", T0)
    assert posted == outcome("payments", DigestState.POSTED, "without its chart: no fonts")
    assert len(setup.slack.posts) == 1 and setup.slack.uploads == []
    assert setup.digests.post("payments", T0).state is DigestState.ALREADY_POSTED


def test_run_due_posts_each_due_digest_once(setup: Setup) -> None:
    """payments (Mondays 09:00) and the platform ranking (Mondays 10:00) are due at T0;
    search has no schedule. A second run, or another replica's, posts nothing."""
    early = setup.digests.run_due(T0.replace(hour=8))
    assert early == []  # Monday 08:00: neither crontab has fired this week
    due = setup.digests.run_due(T0)
    assert [(o.team, o.state) for o in due] == [
        ("payments", DigestState.POSTED),
        (PLATFORM, DigestState.POSTED),
    ]
    assert [p.channel for p in setup.slack.posts] == ["C0PAY", "C0PLAT"]
    assert setup.slack.posts[1].text == "Weekly error budget ranking of 2 team(s)"
    assert setup.digests.run_due(T0 + timedelta(hours=1)) == []
    assert len(setup.slack.posts) == 2
