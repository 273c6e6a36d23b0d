"""Posting the weekly digests: one per team per ISO week, claimed in the database first.

A scheduled run, a second replica, a re-run and the catch-up after downtime all go
through `post`, which posts only when it inserts the week's `digest_run` row (unless
forced). The claim is given back only when the post surely did not happen (Slack
answered with an error, or refused the connection), so a later catch-up tries again; a
post that may have arrived (a timeout, a 5xx) stays claimed: a gap beats a duplicate.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.charts import BudgetChart, budget_chart
from bot.domain.digest import WEEK, rank_teams, week_key
from bot.domain.slo import Catalog, Team
from bot.metrics.errors import PrometheusError
from bot.services.digest_data import DigestData
from bot.services.ports import DigestPresenter, Notifier, PostFailed
from bot.times import format_time
from storage.digests import DigestClaim
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.digests")

PLATFORM = "@platform"  # the claim key of the platform-wide digest (no team name has an @)


class DigestState(StrEnum):
    POSTED = "posted"
    ALREADY_POSTED = "already posted"
    POSTPONED = "postponed"  # Prometheus could not be read: a later run posts it
    FAILED = "failed"  # Slack refused or could not be reached


@dataclass(frozen=True)
class DigestOutcome:
    team: str
    week: str
    state: DigestState
    detail: str = ""


class Digests:
    def __init__(
        self,
        catalog: Catalog,
        data: DigestData,
        uow: UnitOfWork,
        notifier: Notifier,
        messages: DigestPresenter,
        draw: Callable[[BudgetChart], bytes] = budget_chart,
    ) -> None:
        self._catalog = catalog
        self._data = data
        self._uow = uow
        self._notifier = notifier
        self._messages = messages
        self._draw = draw
        self._running = threading.Lock()  # the teams' cron jobs and the catch-up take turns

    def post(self, team: str, at: datetime, *, force: bool = False) -> DigestOutcome:
        """Post `team`'s digest as of `at`, once for its week ("postponed" when Prometheus
        cannot be read: nothing is claimed, so a later run tries again)."""
        settings = self._catalog.teams[team]
        key = week_key(at, settings.timezone)
        if not force and (done := self._already(team, key)):
            return done
        try:
            digest = self._data.digest(team, at)
        except PrometheusError as exc:
            return _postponed(team, key, exc)
        text, blocks = self._messages.team(digest, settings.timezone)
        outcome = self._send(team, key, at, settings.channel, text, blocks, force)
        if outcome.state is not DigestState.POSTED:
            return outcome
        try:  # the message is out: whatever goes wrong now, it stays posted
            png = self._draw(self._data.chart(team, at))
            self._notifier.upload(settings.channel, f"budget-{team}-{key}.png", text, png)
        except Exception as exc:
            log.warning("digest chart for %s not posted: %s", team, _why(exc))
            return DigestOutcome(team, key, DigestState.POSTED, f"without its chart: {_why(exc)}")
        return outcome

    def post_platform(self, at: datetime, *, force: bool = False) -> DigestOutcome:
        """The ranking of all teams to the catalog's platform channel, once per week."""
        platform = self._catalog.platform
        if platform is None:
            raise ValueError("the catalog has no platform: section with a channel")
        key = week_key(at, platform.timezone)
        if not force and (done := self._already(PLATFORM, key)):
            return done
        try:
            ranked = rank_teams([self._data.digest(t, at) for t in sorted(self._catalog.teams)])
        except PrometheusError as exc:
            return _postponed(PLATFORM, key, exc)
        text, blocks = self._messages.platform(ranked, at, platform.timezone)
        return self._send(PLATFORM, key, at, platform.channel, text, blocks, force)

    def run_due(self, now: datetime, only: str | None = None) -> list[DigestOutcome]:
        """Post every digest (or `only` the team's, or PLATFORM's) whose latest scheduled
        time has passed without a post this week; never raises.

        Called by each team's cron job and by the catch-up job after a restart. Left alone:
        a digest posted (claimed) this week, one not yet due this week, and one whose
        week ended while the bot was down.
        """
        schedules: list[tuple[str, Team]] = list(self._catalog.teams.items())
        if self._catalog.platform is not None:
            schedules.append((PLATFORM, self._catalog.platform))
        outcomes: list[DigestOutcome] = []
        with self._running:
            for name, schedule in schedules:
                if schedule.digest is None or (only is not None and name != only):
                    continue
                fired = last_fire(schedule.digest, schedule.timezone, now)
                key = week_key(now, schedule.timezone)
                if fired is None or week_key(fired, schedule.timezone) != key:
                    continue  # not due this week (a week that ended is stale: skipped)
                if self._claim(name, key) is not None:
                    continue  # quietly: a never-confirmed claim is reported by `post`
                outcomes.append(self._post_due(name, now, key))
        return outcomes

    def _post_due(self, name: str, now: datetime, key: str) -> DigestOutcome:
        try:
            return self.post_platform(now) if name == PLATFORM else self.post(name, now)
        except Exception as exc:  # one team's failure must not stop the others
            log.exception("digest for %s failed", name)
            return DigestOutcome(name, key, DigestState.FAILED, f"{type(exc).__name__}: {exc}")

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
        with self._uow.begin() as store:
            fresh = store.digests.claim(team, key, at, channel)
        if not fresh and not force:
            return self._already(team, key) or DigestOutcome(team, key, DigestState.ALREADY_POSTED)
        try:
            ts = self._notifier.post(channel, text, blocks)
        except PostFailed as exc:
            if fresh and exc.surely_not_sent:
                with self._uow.begin() as store:
                    store.digests.release(team, key)
            log.error("digest for %s not posted: %s", team, _why(exc))
            return DigestOutcome(team, key, DigestState.FAILED, _why(exc))
        with self._uow.begin() as store:
            store.digests.posted(team, key, ts)
        return DigestOutcome(team, key, DigestState.POSTED)

    def _claim(self, team: str, key: str) -> DigestClaim | None:
        with self._uow.read() as store:
            return store.digests.get(team, key)

    def _already(self, team: str, key: str) -> DigestOutcome | None:
        """The outcome "already posted" when the week is claimed; None when it is not."""
        claim = self._claim(team, key)
        if claim is None:
            return None
        if claim.ts is None:  # claimed, but the post's fate is unknown (a timeout, a crash)
            detail = f"claimed at {format_time(claim.claimed_at)}, never confirmed"
            log.warning("digest for %s of %s was %s; --force posts it", team, key, detail)
            return DigestOutcome(team, key, DigestState.ALREADY_POSTED, detail)
        return DigestOutcome(team, key, DigestState.ALREADY_POSTED)


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


def _postponed(team: str, key: str, exc: PrometheusError) -> DigestOutcome:
    log.warning("digest for %s postponed: %s", team, exc)
    return DigestOutcome(team, key, DigestState.POSTPONED, str(exc))


def _why(exc: Exception) -> str:
    if isinstance(exc, PostFailed):
        return exc.reason
    return str(exc) or type(exc).__name__
