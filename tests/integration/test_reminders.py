"""Action-item reminders through the Slack stand-in: once per owner per day, overdue ones
in the team channel once per week, never twice on a re-run; `budgetbot actions list`."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.incidents import IncidentDraft
from bot.domain.slo import Catalog, Service, Team
from bot.services.reminders import Reminders
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.messages.reminders import ReminderMessages
from bot.slack.notifier import SlackNotifier
from bot.slack.rendering import Renderer
from storage.db import make_engine
from storage.incidents import IncidentRepository
from storage.migrate import upgrade
from storage.postmortems import PostmortemRepository
from storage.unit_of_work import UnitOfWork
from tests.support.cli import budgetbot, clean_env
from tests.support.slack_api import SlackStandIn

MESSAGES = ReminderMessages(Renderer())
NOW = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
CATALOG = Catalog(
    teams={"pay": Team("pay", "C0PAY", timezone="Europe/Berlin")},
    services={"checkout": Service("checkout", "pay")},
    slos=(),
)


def seed(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        draft = IncidentDraft(
            "outage",
            ("checkout",),
            NOW - timedelta(days=20),
            NOW - timedelta(days=19),
            "",
            "U0",
            "",
        )
        incident = IncidentRepository(session).declare(draft, NOW - timedelta(days=19))
        assert incident is not None

        def act(owner: str, days: int, priority: Priority = Priority.P1) -> NewAction:
            return NewAction(
                f"fix {owner} {days}",
                owner,
                TODAY + timedelta(days=days),
                priority,
                ActionKind.PREVENT,
            )

        PostmortemRepository(session).write(
            incident,
            "summary",
            "cause",
            "well",
            "badly",
            None,
            "U0",
            NOW - timedelta(days=19),
            [act("U1", 1), act("U1", -2), act("U2", -10, Priority.P0), act("U3", 30)],
        )


def run(engine: Engine, slack: SlackStandIn, at: datetime) -> None:
    settings = Settings(slack_bot_token="xoxb-test", slack_api_url=slack.api_url)
    Reminders(
        CATALOG, UnitOfWork(engine), SlackNotifier(web_client(settings, for_posts=True)), MESSAGES
    ).run(at)


def test_reminders_once_per_day_and_week(tmp_path: Path, slack_api: SlackStandIn) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    seed(engine)
    run(engine, slack_api, NOW)
    posts = slack_api.calls_to("chat.postMessage")
    by_channel = {p.body["channel"]: p for p in posts}
    assert set(by_channel) == {"U1", "U2", "C0PAY"}  # U3's action is a month away
    u1 = json.dumps(by_channel["U1"].body["blocks"])
    assert (
        "1 overdue, 1 due within two days" in by_channel["U1"].body["text"]
        and "2 days overdue" in u1
    )
    assert "10 days overdue" in by_channel["C0PAY"].body["text"]  # overdue > 7 days: the team hears

    run(engine, slack_api, NOW + timedelta(hours=3))  # the same day again: nothing new
    assert len(slack_api.calls_to("chat.postMessage")) == 3
    run(engine, slack_api, NOW + timedelta(days=1))  # the next day: owners again, team not
    later = slack_api.calls_to("chat.postMessage")[3:]
    assert sorted(p.body["channel"] for p in later) == ["U1", "U2"]
    run(engine, slack_api, NOW + timedelta(days=6))  # next ISO week: the team again
    assert "C0PAY" in [p.body["channel"] for p in slack_api.calls_to("chat.postMessage")[5:]]
    slack_api.assert_no_violations()


def test_snoozed_and_done_actions_wait(tmp_path: Path, slack_api: SlackStandIn) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    seed(engine)
    with Session(engine) as session, session.begin():
        repo = PostmortemRepository(session)
        items = {a.owner: a for a in repo.actions()}
        assert repo.snooze(items["U2"].id, TODAY + timedelta(days=7), "U2", NOW)
        for item in repo.actions(owner="U1"):
            assert repo.complete(item.id, "U1", NOW)
    run(engine, slack_api, NOW)
    assert slack_api.calls_to("chat.postMessage") == []


def test_actions_list_as_csv(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    seed(engine)
    catalog = tmp_path / "c.yaml"
    catalog.write_text("teams: {pay: {channel: C0PAY}}\nservices: {checkout: {team: pay}}\n")
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}", BUDGETBOT_NOW=NOW.isoformat())
    run_ = budgetbot(
        "actions", "list", "--overdue", "--format", "csv", "--config", str(catalog), env=env
    )
    assert run_.returncode == 0, run_.stderr
    rows = list(csv.DictReader(io.StringIO(run_.stdout)))
    assert [(r["owner"], r["overdue_days"], r["team"]) for r in rows] == [
        ("U2", "10", "pay"),
        ("U1", "2", "pay"),
    ]
    assert all(date.fromisoformat(r["deadline"]) < TODAY for r in rows)
    unknown = budgetbot("actions", "list", "--team", "pai", "--config", str(catalog), env=env)
    assert unknown.returncode == 1 and "did you mean pay" in unknown.stderr


def test_reminders_not_sent_while_slack_is_unreachable_are_sent_later(
    tmp_path: Path, slack_api: SlackStandIn
) -> None:
    """A refused connection surely did not post: the claims are given back, the run goes
    on for the others, and the next run sends them (never twice)."""
    from tests.support.cli import closed_port

    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    seed(engine)
    settings = Settings(
        slack_bot_token="xoxb-test", slack_api_url=f"http://127.0.0.1:{closed_port()}/api/"
    )
    down = SlackNotifier(web_client(settings, for_posts=True))
    report = Reminders(CATALOG, UnitOfWork(engine), down, MESSAGES).run(NOW)
    assert report.failed == 3 and report.owners == 0  # every post tried, none crashed the run
    run(engine, slack_api, NOW + timedelta(hours=1))  # Slack is back
    assert sorted(p.body["channel"] for p in slack_api.calls_to("chat.postMessage")) == [
        "C0PAY", "U1", "U2",
    ]  # fmt: skip
    run(engine, slack_api, NOW + timedelta(hours=2))
    assert len(slack_api.calls_to("chat.postMessage")) == 3
