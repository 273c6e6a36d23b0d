"""PostmortemRepository on SQLite and PostgreSQL: postmortems, action items, reminders, 0004."""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from bot.domain.actions import (
    ActionChange,
    ActionItem,
    ActionKind,
    ActionStatus,
    NewAction,
    Postmortem,
    Priority,
)
from bot.domain.incidents import IncidentDraft
from storage.migrate import current, downgrade, upgrade
from storage.models import ACTION_KINDS, ACTION_STATUSES, PRIORITIES, REMINDER_KINDS
from storage.postmortems import PostmortemRepository
from storage.unit_of_work import Store
from tests.support.transactions import in_tx, race, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))
DAY = date(2026, 3, 16)
POSTMORTEM_TABLES = {"postmortem", "action_item", "action_change", "reminder_sent"}


def _incident(engine: Engine) -> int:
    """Declare an incident (committed); its id."""
    draft = IncidentDraft(
        "Checkout errors", ("checkout",), T0, T0 + timedelta(hours=1), "5xx", "U1", "C0PAY"
    )
    incident = in_tx(engine, lambda s: s.incidents.declare(draft, T0))
    assert isinstance(incident, int)
    return incident


def _new(
    description: str = "Alert on queue depth",
    owner: str = "U2",
    deadline: date = DAY,
    priority: Priority = Priority.P1,
    kind: ActionKind = ActionKind.DETECT,
) -> NewAction:
    return NewAction(description, owner, deadline, priority, kind)


def _write(
    engine: Engine, incident: int, actions: tuple[NewAction, ...] = (), at: datetime = T0
) -> int | None:
    return in_tx(
        engine,
        lambda s: s.postmortems.write(
            incident, "Summary", "Root cause", "Well", "Badly", None, "U1", at, actions
        ),
    )


def _add(engine: Engine, incident: int, action: NewAction, at: datetime = T0) -> int:
    return in_tx(engine, lambda s: s.postmortems.add_action(incident, action, "U1", at))


def _completes(action: int) -> Callable[[Store], bool]:
    return lambda store: store.postmortems.complete(action, "U2", T0)


def _claims(key: str) -> Callable[[Store], bool]:
    return lambda store: store.postmortems.claim_reminder("owner_daily", key, T0)


def _remind(engine: Engine, kind: str, key: str) -> bool:
    """Claim the reminder (kind, key) at T0 in its own committed transaction."""
    return in_tx(engine, lambda s: s.postmortems.claim_reminder(kind, key, T0))


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _whats(engine: Engine, action: int) -> list[str]:
    return [change.what for change in read_only(engine, lambda s: s.postmortems.history(action))]


# -- writing and reading a postmortem ----------------------------------------------------------


def test_write_and_read_back(migrated: Engine) -> None:
    """Every field comes back: deadlines as dates, times aware UTC, one "created" each."""
    incident = _incident(migrated)
    local = (T0 + timedelta(days=1)).astimezone(BERLIN_SUMMER)
    first = _new("Page on checkout 5xx — «EU»", "U2", date(2026, 3, 20), Priority.P0)
    second = _new("Runbook for rollbacks", "U3", date(2026, 3, 9), Priority.P2, ActionKind.PROCESS)
    written = in_tx(
        migrated,
        lambda s: s.postmortems.write(
            incident,
            "Checkout failed for 40 minutes",
            "A bad config push",
            "Fast detection",
            "Slow rollback",
            "https://docs.example.com/pm/1",
            "U1",
            local,
            [first, second],
        ),
    )
    assert isinstance(written, int)
    stored = read_only(migrated, lambda s: s.postmortems.postmortem(incident))
    assert stored is not None
    ids = [action.id for action in stored.actions]
    assert ids == sorted(ids) and len(set(ids)) == 2  # in the order written
    assert stored == Postmortem(
        id=written,
        incident_id=incident,
        summary="Checkout failed for 40 minutes",
        root_cause="A bad config push",
        went_well="Fast detection",
        went_badly="Slow rollback",
        link="https://docs.example.com/pm/1",
        written_by="U1",
        written_at=local,
        actions=tuple(
            ActionItem(
                id=id,
                incident_id=incident,
                description=new.description,
                owner=new.owner,
                deadline=new.deadline,
                priority=new.priority,
                kind=new.kind,
                status=ActionStatus.OPEN,
                snoozed_until=None,
                created_by="U1",
                created_at=local,
            )
            for id, new in zip(ids, (first, second), strict=True)
        ),
    )
    times = [stored.written_at] + [action.created_at for action in stored.actions]
    assert all(t.tzinfo is UTC for t in times)
    assert all(type(action.deadline) is date for action in stored.actions)
    assert stored.actions[0].key == f"ACT-{ids[0]}"
    with Session(migrated) as session:
        postmortems = PostmortemRepository(session)
        for id in ids:
            history = postmortems.history(id)
            assert history == [ActionChange(local, "U1", "created")]
            assert history[0].at.tzinfo is UTC
            assert postmortems.action(id) in stored.actions


def test_one_postmortem_per_incident(migrated: Engine) -> None:
    """A second write returns None, adds nothing, and leaves the transaction usable."""
    incident, other = _incident(migrated), _incident(migrated)
    first = _write(migrated, incident, (_new(),))
    assert first is not None
    with Session(migrated) as session, session.begin():
        postmortems = PostmortemRepository(session)
        again = postmortems.write(
            incident, "Again", "", "", "", None, "U9", T0, [_new("dup"), _new("dup 2")]
        )
        assert again is None
        assert postmortems.write(other, "Other", "", "", "", None, "U9", T0, []) is not None
    assert _count(migrated, "postmortem") == 2
    assert _count(migrated, "action_item") == 1
    assert _count(migrated, "action_change") == 1
    stored = read_only(migrated, lambda s: s.postmortems.postmortem(incident))
    assert stored is not None and stored.summary == "Summary" and len(stored.actions) == 1
    plain = read_only(migrated, lambda s: s.postmortems.postmortem(other))
    assert plain is not None and plain.actions == () and plain.link is None


def test_two_threads_writing_one_postmortem(migrated: Engine) -> None:
    """Of two replicas saving the same incident's postmortem at once, exactly one writes."""
    incident = _incident(migrated)

    def write(store: Store) -> bool:
        written = store.postmortems.write(incident, "S", "R", "W", "B", None, "U1", T0, [_new()])
        return written is not None

    assert sorted(race(partial(in_tx, migrated, write))) == [False, True]
    assert _count(migrated, "postmortem") == 1
    assert _count(migrated, "action_item") == 1


def test_unknown_ids(migrated: Engine) -> None:
    with Session(migrated) as session:
        postmortems = PostmortemRepository(session)
        assert postmortems.postmortem(12345) is None
        assert postmortems.action(12345) is None
        assert postmortems.history(12345) == []
        assert postmortems.complete(12345, "U1", T0) is False
        assert postmortems.drop(12345, "U1", T0) is False
        assert postmortems.snooze(12345, DAY, "U1", T0) is False
        assert postmortems.reassign(12345, "U2", "U1", T0) is False
    with Session(migrated) as session, pytest.raises(IntegrityError):
        PostmortemRepository(session).write(12345, "S", "", "", "", None, "U1", T0, [])
    with Session(migrated) as session, pytest.raises(IntegrityError):
        PostmortemRepository(session).add_action(12345, _new(), "U1", T0)


def test_add_action_with_and_without_a_postmortem(migrated: Engine) -> None:
    """Actions hang off the incident: added before the postmortem, they show in it."""
    incident = _incident(migrated)
    early = _add(migrated, incident, _new("Early"), T0)
    assert read_only(migrated, lambda s: s.postmortems.postmortem(incident)) is None
    assert _write(migrated, incident, (_new("Written"),), T0 + timedelta(hours=1)) is not None
    late = _add(migrated, incident, _new("Late", "U7"), T0 + timedelta(hours=2))
    stored = read_only(migrated, lambda s: s.postmortems.postmortem(incident))
    assert stored is not None
    assert [a.description for a in stored.actions] == ["Early", "Written", "Late"]
    assert stored.actions[0].id == early and stored.actions[-1].id == late
    assert read_only(migrated, lambda s: s.postmortems.history(late)) == [
        ActionChange(T0 + timedelta(hours=2), "U1", "created")
    ]


# -- changing an action item --------------------------------------------------------------------


def test_complete_reassign_snooze_drop_and_history(migrated: Engine) -> None:
    """Each change is guarded by the open status and leaves one line in the history."""
    incident = _incident(migrated)
    a, b = _add(migrated, incident, _new("A", "U2")), _add(migrated, incident, _new("B", "U3"))
    at = [T0 + timedelta(hours=n) for n in range(10)]
    with Session(migrated) as session, session.begin():
        postmortems = PostmortemRepository(session)
        assert postmortems.snooze(a, date(2026, 3, 18), "U2", at[1]) is True
        assert postmortems.reassign(a, "U4", "U5", at[2]) is True
        assert postmortems.reassign(a, "U4", "U5", at[3]) is False  # theirs already
        assert postmortems.complete(a, "U4", at[4].astimezone(BERLIN_SUMMER)) is True
        assert postmortems.complete(a, "U4", at[5]) is False
        assert postmortems.reassign(a, "U2", "U5", at[5]) is False
        assert postmortems.snooze(a, DAY, "U4", at[5]) is False
        assert postmortems.drop(a, "U4", at[5]) is False
        assert postmortems.drop(b, "U3", at[6]) is True
        assert postmortems.complete(b, "U3", at[7]) is False
    done = read_only(migrated, lambda s: s.postmortems.action(a))
    assert done is not None
    assert (done.status, done.owner, done.snoozed_until) == (
        ActionStatus.DONE,
        "U4",
        date(2026, 3, 18),
    )
    assert (done.completed_by, done.completed_at) == ("U4", at[4])
    assert done.completed_at is not None and done.completed_at.tzinfo is UTC
    assert read_only(migrated, lambda s: s.postmortems.history(a)) == [
        ActionChange(T0, "U1", "created"),
        ActionChange(at[1], "U2", "snoozed until 2026-03-18"),
        ActionChange(at[2], "U5", "reassigned from <@U2> to <@U4>"),
        ActionChange(at[4], "U4", "done"),
    ]
    dropped = read_only(migrated, lambda s: s.postmortems.action(b))
    assert dropped is not None and dropped.status is ActionStatus.DROPPED
    assert (dropped.completed_by, dropped.completed_at) == (None, None)
    assert _whats(migrated, b) == ["created", "dropped"]


def test_snooze_again_and_reassign_twice(migrated: Engine) -> None:
    incident = _incident(migrated)
    action = _add(migrated, incident, _new(owner="U2"))
    in_tx(migrated, lambda s: s.postmortems.snooze(action, date(2026, 3, 10), "U2", T0))
    in_tx(migrated, lambda s: s.postmortems.snooze(action, date(2026, 3, 12), "U2", T0))
    in_tx(migrated, lambda s: s.postmortems.reassign(action, "U3", "U2", T0))
    in_tx(migrated, lambda s: s.postmortems.reassign(action, "U2", "U3", T0))
    stored = read_only(migrated, lambda s: s.postmortems.action(action))
    assert stored is not None
    assert (stored.owner, stored.snoozed_until, stored.status) == (
        "U2",
        date(2026, 3, 12),
        ActionStatus.OPEN,
    )
    assert _whats(migrated, action) == [
        "created",
        "snoozed until 2026-03-10",
        "snoozed until 2026-03-12",
        "reassigned from <@U2> to <@U3>",
        "reassigned from <@U3> to <@U2>",
    ]


def test_two_threads_closing_one_action(migrated: Engine) -> None:
    """Of two people completing (or dropping) one action at once, exactly one succeeds."""
    incident = _incident(migrated)
    for n in range(3):
        action = _add(migrated, incident, _new(f"A{n}"))
        assert sorted(race(partial(in_tx, migrated, _completes(action)))) == [False, True]
        assert _whats(migrated, action) == ["created", "done"]
    action = _add(migrated, incident, _new("reassigned"))
    reassign = partial(in_tx, migrated, lambda s: s.postmortems.reassign(action, "U9", "U1", T0))
    assert sorted(race(reassign)) == [False, True]
    assert _whats(migrated, action) == ["created", "reassigned from <@U2> to <@U9>"]


# -- listing action items -------------------------------------------------------------------------


def test_filters_and_ordering(migrated: Engine) -> None:
    """By deadline then id; owner, team incidents and status each narrow the list."""
    one, two, three = _incident(migrated), _incident(migrated), _incident(migrated)
    ids = {
        "late": _add(migrated, one, _new("late", "U2", date(2026, 4, 1))),
        "tie_a": _add(migrated, two, _new("tie_a", "U3", date(2026, 3, 10))),
        "early": _add(migrated, one, _new("early", "U3", date(2026, 3, 5))),
        "tie_b": _add(migrated, one, _new("tie_b", "U2", date(2026, 3, 10))),
        "done": _add(migrated, three, _new("done", "U2", date(2026, 3, 1))),
        "dropped": _add(migrated, two, _new("dropped", "U3", date(2026, 3, 2))),
    }
    in_tx(migrated, lambda s: s.postmortems.complete(ids["done"], "U2", T0))
    in_tx(migrated, lambda s: s.postmortems.drop(ids["dropped"], "U3", T0))

    def names(
        *,
        owner: str | None = None,
        team_incidents: Iterable[int] | None = None,
        status: ActionStatus | None = ActionStatus.OPEN,
    ) -> list[str]:
        with Session(migrated) as session:
            found = PostmortemRepository(session).actions(
                owner=owner, team_incidents=team_incidents, status=status
            )
        return [item.description for item in found]

    assert names() == ["early", "tie_a", "tie_b", "late"]
    assert names(status=None) == ["done", "dropped", "early", "tie_a", "tie_b", "late"]
    assert names(status=ActionStatus.DONE) == ["done"]
    assert names(status=ActionStatus.DROPPED) == ["dropped"]
    assert names(owner="U2") == ["tie_b", "late"]
    assert names(owner="U2", status=None) == ["done", "tie_b", "late"]
    assert names(owner="U9") == []
    assert names(team_incidents=[one]) == ["early", "tie_b", "late"]
    assert names(team_incidents=(i for i in (two, three)), status=None) == [
        "done",
        "dropped",
        "tie_a",
    ]
    assert names(team_incidents={one, two}, owner="U3") == ["early", "tie_a"]
    assert names(team_incidents=[]) == []
    # Many ids are queried in batches, and still come back in one order.
    assert names(team_incidents=range(1, 1200), status=None) == names(status=None)
    assert [item.id for item in read_only(migrated, lambda s: s.postmortems.actions())] == [
        ids["early"],
        ids["tie_a"],
        ids["tie_b"],
        ids["late"],
    ]


# -- reminders ---------------------------------------------------------------------------------


def test_claim_reminder_once(migrated: Engine) -> None:
    """Each (kind, key) is claimed once; the loser's transaction stays usable."""
    with Session(migrated) as session, session.begin():
        postmortems = PostmortemRepository(session)
        assert postmortems.claim_reminder("owner_daily", "U2:2026-03-02", T0) is True
        assert postmortems.claim_reminder("owner_daily", "U2:2026-03-02", T0) is False
        assert postmortems.claim_reminder("owner_daily", "U2:2026-03-03", T0) is True
        assert postmortems.claim_reminder("owner_daily", "U3:2026-03-02", T0) is True
        assert postmortems.claim_reminder("team_weekly", "U2:2026-03-02", T0) is True
        assert postmortems.claim_reminder("team_weekly", "7:2026-W10", T0) is True
    assert _remind(migrated, "team_weekly", "7:2026-W10") is False
    assert _remind(migrated, "team_weekly", "7:2026-W11") is True
    assert _count(migrated, "reminder_sent") == 6
    with Session(migrated) as session, pytest.raises(ValueError, match="reminder kind"):
        PostmortemRepository(session).claim_reminder("monthly", "x", T0)


def test_claim_reminder_uncommitted_is_not_final(migrated: Engine) -> None:
    """A claim rolled back with its transaction (the send failed) may be made again."""
    with Session(migrated) as session:
        session.begin()
        assert PostmortemRepository(session).claim_reminder("owner_daily", "U2:d", T0) is True
        session.rollback()
    assert _remind(migrated, "owner_daily", "U2:d") is True


def test_two_threads_claiming_one_reminder(migrated: Engine) -> None:
    """Of two replicas running the same day's reminders at once, exactly one sends each."""
    for n in range(10):
        assert sorted(race(partial(in_tx, migrated, _claims(f"U{n}:2026-03-02")))) == [False, True]
    assert _count(migrated, "reminder_sent") == 10


# -- the schema refuses what the domain cannot hold -----------------------------------------------


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("action_item", "priority"),
        ("action_item", "kind"),
        ("action_item", "status"),
        ("reminder_sent", "kind"),
    ],
)
def test_check_constraints(migrated: Engine, table: str, column: str) -> None:
    """The checks hold exactly the domain's values; anything else is refused."""
    assert tuple(Priority) == PRIORITIES
    assert tuple(ActionKind) == ACTION_KINDS
    assert tuple(ActionStatus) == ACTION_STATUSES
    assert REMINDER_KINDS == ("owner_daily", "team_weekly")
    _add(migrated, _incident(migrated), _new())
    assert _remind(migrated, "owner_daily", "U2:d")
    with migrated.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(text(f"UPDATE {table} SET {column} = 'other'"))


def test_bad_values_are_refused(migrated: Engine) -> None:
    incident = _incident(migrated)
    naive = datetime(2026, 1, 1)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        PostmortemRepository(session).add_action(incident, _new(), "U1", naive)
    with Session(migrated) as session, pytest.raises(TypeError, match="expected a date"):
        PostmortemRepository(session).add_action(incident, _new(deadline=T0), "U1", T0)
    action = _add(migrated, incident, _new())
    with Session(migrated) as session, pytest.raises(TypeError, match="expected a date"):
        PostmortemRepository(session).snooze(action, T0, "U1", T0)
    bad = NewAction("x", "U2", DAY, "P3", ActionKind.DETECT)  # type: ignore[arg-type]
    with Session(migrated) as session, pytest.raises(ValueError, match="P3"):
        PostmortemRepository(session).write(incident, "S", "", "", "", None, "U1", T0, [bad])
    assert _count(migrated, "postmortem") == 0


# -- migration 0004 --------------------------------------------------------------------------------


def test_upgrade_from_0003_downgrade_and_upgrade_again(engine: Engine) -> None:
    """0003 -> 0004 adds the postmortem tables next to the incidents; downgrading removes them."""
    upgrade(engine, "0003")
    incident = _incident(engine)
    upgrade(engine, "0004")
    assert current(engine) == "0004"
    assert set(inspect(engine).get_table_names()) >= POSTMORTEM_TABLES
    assert _write(engine, incident, (_new(),)) is not None
    assert _remind(engine, "owner_daily", "U2:d") is True

    downgrade(engine, "0003")
    assert current(engine) == "0003"
    assert not POSTMORTEM_TABLES & set(inspect(engine).get_table_names())
    assert _count(engine, "incident") == 1  # the incident stays (read at head, below)

    upgrade(engine, "0004")
    assert current(engine) == "0004"
    assert read_only(engine, lambda s: s.postmortems.postmortem(incident)) is None
    assert read_only(engine, lambda s: s.postmortems.actions(status=None)) == []
    assert _write(engine, incident, (_new(),)) is not None
    assert _remind(engine, "owner_daily", "U2:d") is True
