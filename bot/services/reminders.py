"""Action-item reminders: one DM per owner per day, overdue items named in team channels weekly.

Every reminder is claimed in the database before it is sent (`reminder_sent`), so a
re-run of the same day, or a second replica, sends nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.actions import ActionItem
from bot.domain.reminders import owner_reminders, team_escalations
from bot.domain.slo import Catalog
from bot.services.ownership import open_actions
from bot.services.ports import Notifier, PostFailed, ReminderPresenter
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.reminders")


@dataclass
class ReminderReport:
    owners: int = 0
    team_posts: int = 0
    failed: int = 0


class Reminders:
    def __init__(
        self, catalog: Catalog, uow: UnitOfWork, notifier: Notifier, messages: ReminderPresenter
    ) -> None:
        self._catalog = catalog
        self._uow = uow
        self._notifier = notifier
        self._messages = messages

    def run(self, at: datetime, team: str | None = None) -> ReminderReport:
        """Send what is due at `at` (for one team's actions, or all); claims first."""
        report = ReminderReport()
        actions, team_of = self._gather(team)
        today = at.astimezone(UTC).date()  # owners: one DM per UTC day
        for reminder in owner_reminders(actions, today):
            if self._claim("owner_daily", reminder.key(today), at):
                lines = [
                    self._messages.line(a, today) for a in (*reminder.overdue, *reminder.due_soon)
                ]
                intro = (
                    f"Your postmortem actions: {len(reminder.overdue)} overdue, "
                    f"{len(reminder.due_soon)} due within two days."
                )
                claim = ("owner_daily", reminder.key(today))
                report.owners += self._post(report, reminder.owner, intro, lines, claim)
        for name in sorted({team_of[a.id] for a in actions if a.id in team_of}):
            local = at.astimezone(ZoneInfo(self._catalog.teams[name].timezone)).date()
            mine = [a for a in actions if team_of.get(a.id) == name]
            for escalation in team_escalations(mine, local, self._catalog.escalate_overdue_after):
                if self._claim("team_weekly", escalation.key(local), at):
                    action = escalation.action
                    intro = (
                        f":hourglass: {action.key} is {escalation.days_overdue} days overdue "
                        f"(owner <@{action.owner}>)."
                    )
                    channel = self._catalog.teams[name].channel
                    claim = ("team_weekly", escalation.key(local))
                    report.team_posts += self._post(
                        report, channel, intro, [self._messages.line(action, local)], claim
                    )
        return report

    def _gather(self, team: str | None) -> tuple[list[ActionItem], dict[int, str]]:
        """Open actions (of `team`, when given), and the team owning each."""
        with self._uow.begin() as store:
            actions, team_of = open_actions(self._catalog, store)
        if team is not None:
            actions = [a for a in actions if team_of.get(a.id) == team]
        return actions, team_of

    def _claim(self, kind: str, key: str, at: datetime) -> bool:
        with self._uow.begin() as store:
            return store.postmortems.claim_reminder(kind, key, at)

    def _post(
        self,
        report: ReminderReport,
        channel: str,
        intro: str,
        lines: list[str],
        claim: tuple[str, str],
    ) -> int:
        """Post one reminder; one that surely did not leave gives its claim back."""
        message = self._messages.reminder(intro, lines)
        try:
            self._notifier.post(channel, message.text, message.blocks)
            return 1
        except PostFailed as exc:
            report.failed += 1
            if exc.retryable:
                log.warning("reminder to %s not sent, a later run retries: %s", channel, exc)
                with self._uow.begin() as store:
                    store.postmortems.release_reminder(*claim)
            else:
                log.error("reminder to %s may or may not be sent: %s", channel, exc)
            return 0
