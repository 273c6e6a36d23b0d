"""When digests are posted: due times in the team's zone, once per week, catch-up after
downtime, retries after Prometheus or Slack failures (claims in a real SQLite database)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.charts import BudgetChart
from bot.domain.digest import SLOWeek, TeamDigest, week_key
from bot.domain.slo import Catalog, Gate, Team
from bot.metrics.errors import PrometheusUnreachable
from bot.services.digests import PLATFORM, Digests
from bot.slack.messages.digests import DigestMessages
from bot.slack.notifier import post_failed
from bot.slack.rendering import Renderer
from storage.db import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import UnitOfWork

# payments: Mondays 09:00 in Berlin (08:00 UTC in winter); search: Wednesdays 12:00 UTC;
# quiet: no scheduled digest
CATALOG = Catalog(
    teams={
        "payments": Team("payments", "C0PAY", "0 9 * * MON", "Europe/Berlin"),
        "search": Team("search", "C0SRCH", "0 12 * * WED", "UTC"),
        "quiet": Team("quiet", "C0QUIET", None),  # digest: off
    },
    services={},
    slos=(),
    platform=Team("platform", "C0PLAT", "0 10 * * MON", "UTC"),
)
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


class FakeData:
    def __init__(self) -> None:
        self.down = False

    def digest(self, team: str, at: datetime) -> TeamDigest:
        if self.down:
            raise PrometheusUnreachable("http://prom:9090", "connection refused")
        line = SLOWeek(f"{team}-availability", team, 30 * 86400, "ok", None, 0.5, gate=Gate.OPEN)
        return TeamDigest(team, at, week_key(at, "UTC"), (line,))

    def chart(self, team: str, at: datetime) -> BudgetChart:
        return BudgetChart(team, (), 0.25, 0.0)


ERRORS = {200: "channel_not_found", 500: "internal_error"}


class Recorder:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []
        self.uploads: list[str] = []
        self.refuse = 0
        self.status = 200  # of the refusal: 200 (ok false: surely not posted) or a 5xx

    def post(self, channel: str, text: str, blocks: Any, thread_ts: str | None = None) -> str:
        if self.refuse:
            self.refuse -= 1
            raise post_failed(
                SlackApiError(  # as the Slack adapter reports it
                    "no",
                    SlackResponse(
                        client=None,
                        http_verb="POST",
                        api_url="",
                        req_args={},
                        data={"ok": False, "error": ERRORS[self.status]},
                        headers={},
                        status_code=self.status,
                    ),
                )
            )
        self.posts.append((channel, text))
        return f"{len(self.posts)}.0"

    def update(self, channel: str, ts: str, text: str, blocks: Any) -> None:
        raise AssertionError("digests are never updated")

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        self.uploads.append(filename)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Digests, FakeData, Recorder]:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    data, notifier = FakeData(), Recorder()
    digests = Digests(
        CATALOG,
        data,
        UnitOfWork(engine),
        notifier,
        DigestMessages(Renderer()),
        draw=lambda c: b"png",  # type: ignore[arg-type]
    )
    return digests, data, notifier


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY.replace(day=day, hour=hour, minute=minute)


def channels(notifier: Recorder) -> list[str]:
    return [channel for channel, _ in notifier.posts]


def test_each_digest_is_posted_once_when_due_in_its_own_zone(setup: Any) -> None:
    digests, _, notifier = setup
    assert digests.run_due(at(23, 7, 59)) == []  # 08:59 in Berlin; last week's has ended
    assert channels(notifier) == []
    posted = digests.run_due(at(23, 8))  # 09:00 in Berlin
    assert [(o.team, o.week, o.state) for o in posted] == [("payments", "2026-W48", "posted")]
    assert digests.run_due(at(23, 9, 30)) == []
    digests.run_due(at(23, 10))  # the platform ranking at 10:00 UTC
    assert channels(notifier) == ["C0PAY", "C0PLAT"]
    assert notifier.uploads == ["budget-payments-2026-W48.png"]  # the ranking has no chart
    digests.run_due(at(25, 12))
    digests.run_due(at(26, 12))
    assert channels(notifier) == ["C0PAY", "C0PLAT", "C0SRCH"]


def test_a_missed_run_is_caught_up_once_but_not_after_its_week(setup: Any) -> None:
    digests, _, notifier = setup
    # down from Sunday to Thursday: every digest of the week is posted when it is back
    back = digests.run_due(at(26, 15))
    assert sorted(o.team for o in back) == [PLATFORM, "payments", "search"]
    assert digests.run_due(at(26, 15, 15)) == []
    assert len(notifier.posts) == 3


def test_failures_are_retried_by_the_next_check(setup: Any) -> None:
    digests, data, notifier = setup
    data.down = True
    [failed] = digests.run_due(at(23, 8), only="payments")
    assert (failed.state, "connection refused" in failed.detail) == ("postponed", True)
    data.down = False
    notifier.refuse = 1
    [refused] = digests.run_due(at(23, 8, 15), only="payments")
    assert (refused.state, refused.detail) == ("failed", "Slack answered channel_not_found")
    [posted] = digests.run_due(at(23, 8, 30), only="payments")
    assert posted.state == "posted" and channels(notifier) == ["C0PAY"]


def test_force_posts_again_and_a_plain_post_does_not(setup: Any) -> None:
    digests, _, notifier = setup
    assert digests.post("search", at(24, 12)).state == "posted"
    assert digests.post("search", at(25, 12)).state == "already posted"
    assert digests.post("search", at(25, 12), force=True).state == "posted"
    assert digests.post("search", at(30, 12)).state == "posted"  # a new week
    assert channels(notifier) == ["C0SRCH"] * 3


def test_a_week_that_ended_while_the_bot_was_down_is_not_caught_up(setup: Any) -> None:
    digests, _, notifier = setup
    # Monday 30 November, 08:00 in Berlin: every run of week 48 was missed, none of 49 is due
    assert digests.run_due(at(30, 7)) == []
    assert notifier.posts == []


def test_a_post_that_may_have_arrived_is_never_sent_again(setup: Any) -> None:
    digests, _, notifier = setup
    notifier.refuse, notifier.status = 1, 500  # Slack may have posted before failing
    [failed] = digests.run_due(at(23, 8), only="payments")
    assert (failed.state, failed.detail) == ("failed", "Slack answered internal_error")
    assert digests.run_due(at(23, 9), only="payments") == []  # the claim stays
    again = digests.post("payments", at(23, 9))
    assert again.state == "already posted" and "never confirmed" in again.detail
    assert notifier.posts == []
    assert digests.post("payments", at(23, 9), force=True).state == "posted"
