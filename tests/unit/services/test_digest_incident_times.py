"""The digest data reads the team's own incidents of the five weeks, with their timings, from
the database (the real DigestData over a fake source and an in-memory database)."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.domain.incidents import IncidentDraft
from bot.domain.slo import Catalog, Service, Team
from bot.services.digest_data import DigestData
from bot.services.digests import Digests
from bot.slack.messages.digests import DigestMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import CHECKOUT, T0, FakeNotifier, FakeSource

SEARCH = replace(CHECKOUT, name="search-availability", service="search", team="search")
CATALOG = Catalog(
    teams={"payments": Team("payments", "C0PAY"), "search": Team("search", "C0SRCH")},
    services={"checkout": Service("checkout", "payments"), "search": Service("search", "search")},
    slos=(CHECKOUT, SEARCH),
    platform=Team("platform", "C0PLAT"),
)
DAY = timedelta(days=1)
MIN = 60.0


def declare(
    uow: UnitOfWork,
    services: tuple[str, ...],
    started: datetime,
    *,
    detect: float,
    ack: float | None = None,
    resolve: float | None = None,
) -> None:
    """An incident detected `detect` minutes after it began, acknowledged `ack` minutes after
    detection and resolved `resolve` minutes after it began."""
    detected = started + timedelta(minutes=detect)
    ended = None if resolve is None else started + timedelta(minutes=resolve)
    with uow.begin() as store:
        id = store.incidents.declare(
            IncidentDraft("t", services, started, ended, "", "U1", ""), detected
        )
        assert id is not None
        store.timings.set_detected(id, detected, None)
        if ack is not None:
            store.timings.mark(id, "acknowledged", "U2", detected + timedelta(minutes=ack))


@pytest.fixture
def data(uow: UnitOfWork) -> DigestData:
    return DigestData(CATALOG, FakeSource(spent=0.4), uow)


def test_the_digest_holds_the_owning_teams_incident_times_week_by_week(
    uow: UnitOfWork, data: DigestData
) -> None:
    declare(uow, ("checkout",), T0 - 2 * DAY, detect=4, ack=2, resolve=30)
    declare(uow, ("checkout",), T0 - 3 * DAY, detect=8, resolve=50)
    declare(uow, ("checkout",), T0 - 16 * DAY, detect=20, ack=10)  # two weeks before
    declare(uow, ("checkout",), T0 - 40 * DAY, detect=1, resolve=1)  # before the five weeks
    declare(uow, ("search", "checkout"), T0 - DAY, detect=99, resolve=99)  # search owns it
    declare(uow, ("search",), T0 - DAY, detect=60, resolve=120)
    times = data.digest("payments", T0).times
    assert [w.incidents for w in times] == [2, 0, 1, 0, 0]
    assert [w.median("detect") for w in times] == [6 * MIN, None, 20 * MIN, None, None]
    assert [w.median("acknowledge") for w in times] == [2 * MIN, None, 10 * MIN, None, None]
    assert [w.median("resolve") for w in times] == [40 * MIN, None, None, None, None]
    searched = data.digest("search", T0).times
    assert [w.incidents for w in searched] == [2, 0, 0, 0, 0]
    assert searched[0].median("resolve") == pytest.approx(109.5 * MIN)


def test_the_platform_post_ranks_the_teams_by_time_to_resolve(
    uow: UnitOfWork, data: DigestData
) -> None:
    declare(uow, ("checkout",), T0 - 2 * DAY, detect=4, resolve=30)
    declare(uow, ("search",), T0 - 20 * DAY, detect=4, resolve=10)
    slack = FakeNotifier()
    digests = Digests(CATALOG, data, uow, slack, DigestMessages(Renderer()), lambda _: b"")
    digests.post_platform(T0)
    [post] = slack.posts
    section = post.blocks[-1]["text"]["text"]
    assert section.index("*search* 10 min") < section.index("*payments* 30 min")
