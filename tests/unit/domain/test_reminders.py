"""Reminder selection and postmortem form checks (pure)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.actions import ActionItem, ActionKind, ActionStatus, NewAction, Priority
from bot.domain.reminders import check_actions, owner_reminders, team_escalations

TODAY = date(2026, 3, 4)  # a Wednesday


def item(
    i: int,
    owner: str,
    days: int,
    status: ActionStatus = ActionStatus.OPEN,
    snoozed: int | None = None,
) -> ActionItem:
    return ActionItem(
        id=i,
        incident_id=1,
        description=f"a{i}",
        owner=owner,
        deadline=TODAY + timedelta(days=days),
        priority=Priority.P1,
        kind=ActionKind.PREVENT,
        status=status,
        snoozed_until=TODAY + timedelta(days=snoozed) if snoozed is not None else None,
        created_by="U0",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def test_owners_hear_of_due_soon_and_overdue_items_once_per_day() -> None:
    actions = [
        item(1, "U1", 0),
        item(2, "U1", 2),
        item(3, "U1", 3),  # today, in 2 days, too far
        item(4, "U1", -1),
        item(5, "U2", -10),
        item(6, "U2", 1, status=ActionStatus.DONE),  # done: silent
        item(7, "U3", -1, snoozed=2),  # snoozed: waits
        item(8, "U3", 1, snoozed=0),  # snooze over today: back
    ]
    reminders = owner_reminders(actions, TODAY)
    assert [
        (r.owner, [a.id for a in r.due_soon], [a.id for a in r.overdue]) for r in reminders
    ] == [
        ("U1", [1, 2], [4]),
        ("U2", [], [5]),
        ("U3", [8], []),
    ]
    assert reminders[0].key(TODAY) == "U1:2026-03-04"


def test_team_escalation_after_seven_days_once_per_week() -> None:
    actions = [
        item(1, "U1", -7),
        item(2, "U1", -8),
        item(3, "U2", -30),
        item(4, "U2", -9, snoozed=1),
    ]
    escalations = team_escalations(actions, TODAY)
    assert [(e.action.id, e.days_overdue) for e in escalations] == [(3, 30), (2, 8)]
    monday, sunday = date(2026, 3, 2), date(2026, 3, 8)
    assert escalations[0].key(monday) == escalations[0].key(sunday) == "3:2026-W10"
    assert escalations[0].key(sunday + timedelta(days=1)) == "3:2026-W11"


def new(
    description: str = "fix", owner: str = "U1", days: int = 3, priority: Priority = Priority.P1
) -> NewAction:
    return NewAction(description, owner, TODAY + timedelta(days=days), priority, ActionKind.PREVENT)


@pytest.mark.parametrize(
    ("actions", "sev1", "fields"),
    [
        ([new()], False, set()),
        ([new(description=" ")], False, {"action-0-description"}),
        ([new(owner="")], False, {"action-0-owner"}),
        ([new(days=-1)], False, {"action-0-deadline"}),
        ([new(days=5 * 366)], False, set()),  # five years out: still a plan
        ([new(days=5 * 366 + 1)], False, {"action-0-deadline"}),  # 9999 is a typo
        ([new(), new()], True, {"action-1-priority"}),  # SEV1 without a P0
        ([new(priority=Priority.P0)], True, set()),
    ],
)
def test_postmortem_form_checks(actions: list[NewAction], sev1: bool, fields: set[str]) -> None:
    assert set(check_actions(actions, TODAY, sev1)) == fields
