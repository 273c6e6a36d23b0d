"""Posting the weekly digests: one per team per ISO week, claimed in the database first.

A scheduled run, a second replica, a re-run and the catch-up after downtime all go
through `post`, which posts only when it inserts the week's `digest_run` row (unless
forced). When Slack answers a post with an error the post surely did not happen, so the
claim is released and a later catch-up run tries again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session

from bot.charts import BudgetChart, budget_chart
from bot.domain.digest import WEEK, rank_teams, week_key
from bot.domain.slo import Catalog, Team
from bot.metrics.prometheus import PrometheusError
from bot.services.digest_data import DigestData
from bot.slack.digest_messages import DigestMessages
from bot.slack.notifier import Notifier
from storage.digests import DigestRepository

log = logging.getLogger("budgetbot.digests")

PLATFORM = "@platform"  # the claim key of the platform-wide digest (no team name has an @)


@dataclass(frozen=True)
class DigestOutcome:
    team: str
    week: str
    state: str  # "posted" | "already posted" | "failed"
    detail: str = ""


class Digests:
    def __init__(
        self,
        catalog: Catalog,
        data: DigestData,
        engine: Engine,
        notifier: Notifier,
        messages: DigestMessages,
        draw: Callable[[BudgetChart], bytes] = budget_chart,
    ) -> None:
        self._catalog = catalog
        self._data = data
        self._engine = engine
        self._notifier = notifier
        self._messages = messages
        self._draw = draw

    def post(
        self, team: str, at: datetime, *, force: bool = False, week: str | None = None
    ) -> DigestOutcome:
        """Post `team`'s digest as of `at`, once for its week; raises PrometheusError."""
        settings = self._catalog.teams[team]
        key = week or week_key(at, settings.timezone)
        if not force and self._claimed(team, key):
            return DigestOutcome(team, key, "already posted")
        digest = self._data.digest(team, at)
        text, blocks = self._messages.team(digest, settings.timezone)
        outcome = self._send(team, key, at, settings.channel, text, blocks, force)
        if outcome.state != "posted":
            return outcome
        try:
            png = self._draw(self._data.chart(team, at))
            self._notifier.upload(settings.channel, f"budget-{team}-{key}.png", text, png)
        except (PrometheusError, SlackApiError) as exc:
            log.warning("digest chart for %s not posted: %s", team, _why(exc))
            return DigestOutcome(team, key, "posted", f"without its chart: {_why(exc)}")
        return outcome

    def post_platform(
        self, at: datetime, *, force: bool = False, week: str | None = None
    ) -> DigestOutcome:
        """The ranking of all teams to the catalog's platform channel, once per week."""
        platform = self._catalog.platform
        if platform is None:
            raise ValueError("the catalog has no platform: section with a channel")
        key = week or week_key(at, platform.timezone)
        if not force and self._claimed(PLATFORM, key):
            return DigestOutcome(PLATFORM, key, "already posted")
        ranked = rank_teams([self._data.digest(t, at) for t in sorted(self._catalog.teams)])
        text, blocks = self._messages.platform(ranked, at, platform.timezone)
        return self._send(PLATFORM, key, at, platform.channel, text, blocks, force)

    def run_due(self, now: datetime, only: str | None = None) -> list[DigestOutcome]:
        """Post every digest (or `only` the team's, or PLATFORM's) whose latest scheduled
        time has passed without a post this week.

        Called by each team's cron job and by the catch-up job after a restart. Left alone:
        a digest posted (claimed) this week, one not yet due this week, and one whose
        week ended while the bot was down.
        """
        outcomes: list[DigestOutcome] = []
        schedules: list[tuple[str, Team]] = list(self._catalog.teams.items())
        if self._catalog.platform is not None:
            schedules.append((PLATFORM, self._catalog.platform))
        for name, schedule in schedules:
            if schedule.digest is None or (only is not None and name != only):
                continue
            fired = last_fire(schedule.digest, schedule.timezone, now)
            if fired is None:
                continue
            key = week_key(fired, schedule.timezone)
            if key != week_key(now, schedule.timezone) or self._claimed(name, key):
                continue  # a week that has ended is not caught up: its digest is stale
            try:
                outcome = (
                    self.post_platform(now, week=key)
                    if name == PLATFORM
                    else self.post(name, now, week=key)
                )
            except PrometheusError as exc:
                log.warning("digest for %s postponed: %s", name, exc)
                outcome = DigestOutcome(name, key, "failed", str(exc))
            outcomes.append(outcome)
        return outcomes

    def _send(
        self,
        team: str,
        key: str,
        at: datetime,
        channel: str,
        text: str,
        blocks: list[dict[str, object]],
        force: bool,
    ) -> DigestOutcome:
        with Session(self._engine) as session, session.begin():
            fresh = DigestRepository(session).claim(team, key, at, channel)
        if not fresh and not force:
            return DigestOutcome(team, key, "already posted")
        try:
            ts = self._notifier.post(channel, text, blocks)
        except SlackApiError as exc:
            if fresh:  # Slack said no: nothing was posted, so a later run may try again
                with Session(self._engine) as session, session.begin():
                    DigestRepository(session).release(team, key)
            log.error("digest for %s not posted: %s", team, _why(exc))
            return DigestOutcome(team, key, "failed", _why(exc))
        with Session(self._engine) as session, session.begin():
            DigestRepository(session).posted(team, key, ts)
        return DigestOutcome(team, key, "posted")

    def _claimed(self, team: str, key: str) -> bool:
        with Session(self._engine) as session:
            return DigestRepository(session).claimed(team, key)


def last_fire(cron: str, timezone: str, now: datetime) -> datetime | None:
    """The latest time the crontab fired in the 7 days up to `now` (None: not in them)."""
    trigger = CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))
    moment = now - timedelta(seconds=WEEK)
    fired: datetime | None = None
    while (following := trigger.get_next_fire_time(fired, moment)) is not None and (
        following <= now
    ):
        fired = following
        moment = following + timedelta(seconds=1)
    return fired


def _why(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return f"Slack answered {exc.response.get('error')}"
    return str(exc)
