"""Which action-item reminders are due on a day, and postmortem form checks. Pure."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.actions import ActionItem, ActionStatus, NewAction, Priority

DUE_SOON_DAYS = 2  # an owner hears about an action this many days before its deadline
ESCALATE_AFTER_DAYS = 7  # overdue longer than this: named in the team channel, weekly


@dataclass(frozen=True)
class OwnerReminder:
    """One direct message for one owner on one day."""

    owner: str
    due_soon: tuple[ActionItem, ...]
    overdue: tuple[ActionItem, ...]

    def key(self, today: date) -> str:
        """Claimed once per owner and (their team's local) day."""
        return f"{self.owner}:{today.isoformat()}"


@dataclass(frozen=True)
class TeamEscalation:
    """An action overdue for long enough to be named in the team channel."""

    action: ActionItem
    days_overdue: int

    def key(self, today: date) -> str:
        """Claimed once per action and ISO week."""
        year, week, _ = today.isocalendar()
        return f"{self.action.id}:{year}-W{week:02d}"


def waiting(action: ActionItem, today: date) -> bool:
    """Open and not snoozed past today."""
    snoozed = action.snoozed_until is not None and action.snoozed_until > today
    return action.status is ActionStatus.OPEN and not snoozed


def owner_reminders(
    actions: Iterable[ActionItem], today: date, due_soon_days: int = DUE_SOON_DAYS
) -> list[OwnerReminder]:
    """Per owner: actions due within `due_soon_days` and overdue ones; owners in name order."""
    by_owner: dict[str, tuple[list[ActionItem], list[ActionItem]]] = {}
    for action in sorted(actions, key=lambda a: (a.deadline, a.id)):
        if not waiting(action, today):
            continue
        soon, late = by_owner.setdefault(action.owner, ([], []))
        if action.deadline < today:
            late.append(action)
        elif action.deadline <= today + timedelta(days=due_soon_days):
            soon.append(action)
    return [
        OwnerReminder(owner, tuple(soon), tuple(late))
        for owner, (soon, late) in sorted(by_owner.items())
        if soon or late
    ]


def team_escalations(
    actions: Iterable[ActionItem], today: date, after_days: int = ESCALATE_AFTER_DAYS
) -> list[TeamEscalation]:
    """Actions overdue by more than `after_days` days, most overdue first."""
    found = [
        TeamEscalation(a, (today - a.deadline).days)
        for a in actions
        if waiting(a, today) and (today - a.deadline).days > after_days
    ]
    return sorted(found, key=lambda e: (-e.days_overdue, e.action.id))


MAX_DEADLINE_DAYS = 5 * 366  # an action item further out is a typo, not a plan


def check_actions(actions: Sequence[NewAction], today: date, needs_p0: bool) -> dict[str, str]:
    """Form problems by field name ("action-<i>-<field>", or "actions"); empty when fine.

    `needs_p0`: the incident is SEV1, and the error budget policy asks for a P0 action.
    """
    problems: dict[str, str] = {}
    for i, action in enumerate(actions):
        if not action.description.strip():
            problems[f"action-{i}-description"] = "Describe the action."
        if not action.owner:
            problems[f"action-{i}-owner"] = "Choose an owner."
        if action.deadline < today:
            problems[f"action-{i}-deadline"] = "The deadline is in the past."
        elif (action.deadline - today).days > MAX_DEADLINE_DAYS:
            problems[f"action-{i}-deadline"] = "Set a deadline within five years."
    if needs_p0 and not any(a.priority is Priority.P0 for a in actions):
        field = f"action-{max(len(actions) - 1, 0)}-priority"
        problems[field] = "A SEV1 incident needs at least one P0 action (error budget policy)."
    return problems
