"""DigestRepository on SQLite and PostgreSQL: one digest per team and ISO week, 0006."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from storage.digests import DigestClaim, DigestRepository
from storage.migrate import current, downgrade, upgrade
from tests.support.transactions import in_tx, race, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, in 2026-W48
BERLIN_WINTER = timezone(timedelta(hours=1))
W48 = "2026-W48"
W49 = "2026-W49"


def _claim(
    engine: Engine, team: str = "payments", week: str = W48, at: datetime = T0, channel: str = ""
) -> bool:
    """Claim (team, week) in its own committed transaction."""
    return in_tx(engine, lambda s: s.digests.claim(team, week, at, channel))


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM digest_run")).scalar_one())


# -- claims ----------------------------------------------------------------------------------------


def test_claim_is_true_once(migrated: Engine) -> None:
    """The first claim of (team, week) wins; every later one, in any session, loses."""
    assert _claim(migrated) is True
    assert _claim(migrated) is False
    assert _claim(migrated, at=T0 + timedelta(days=2), channel="C999") is False
    assert _count(migrated) == 1
    [run] = read_only(migrated, lambda s: s.digests.runs())
    assert run == DigestClaim("payments", W48, T0, "", None)  # the loser changed nothing


def test_another_week_or_team_claims_again(migrated: Engine) -> None:
    assert _claim(migrated, "payments", W48) is True
    assert _claim(migrated, "payments", W49) is True
    assert _claim(migrated, "search", W48) is True
    assert _claim(migrated, "search", W49) is True
    assert _claim(migrated, "payments", W49) is False
    assert _claim(migrated, "search", W48) is False
    assert _count(migrated) == 4


def test_claimed(migrated: Engine) -> None:
    assert read_only(migrated, lambda s: s.digests.get("payments", W48)) is None
    _claim(migrated, "payments", W48)
    assert read_only(migrated, lambda s: s.digests.get("payments", W48)) is not None
    assert read_only(migrated, lambda s: s.digests.get("payments", W49)) is None
    assert read_only(migrated, lambda s: s.digests.get("search", W48)) is None


def test_a_lost_claim_leaves_the_transaction_usable(migrated: Engine) -> None:
    """A lost claim rolls back only its savepoint: the caller's other work still commits."""
    assert _claim(migrated, "payments", W48) is True
    with Session(migrated) as session, session.begin():
        digests = DigestRepository(session)
        assert digests.claim("payments", W48, T0) is False
        assert digests.claim("search", W48, T0) is True
        assert digests.claim("search", W48, T0) is False
    assert read_only(migrated, lambda s: s.digests.get("search", W48)) is not None
    assert _count(migrated) == 2


def test_release_lets_a_later_run_claim_again(migrated: Engine) -> None:
    """A released claim (Slack refused the post) is free; other claims stay."""
    assert _claim(migrated, "payments", W48) is True
    assert _claim(migrated, "search", W48) is True
    assert _claim(migrated, "payments", W49) is True
    in_tx(migrated, lambda s: s.digests.release("payments", W48))
    assert read_only(migrated, lambda s: s.digests.get("payments", W48)) is None
    assert read_only(migrated, lambda s: s.digests.get("search", W48)) is not None
    assert read_only(migrated, lambda s: s.digests.get("payments", W49)) is not None

    later = T0 + timedelta(hours=1)
    assert _claim(migrated, "payments", W48, at=later, channel="C1") is True
    assert _claim(migrated, "payments", W48) is False
    assert read_only(migrated, lambda s: s.digests.runs("payments", limit=1)) == [
        DigestClaim("payments", W48, later, "C1", None)
    ]


def test_releasing_an_unclaimed_digest_is_a_no_op(migrated: Engine) -> None:
    _claim(migrated, "payments", W48)
    in_tx(migrated, lambda s: s.digests.release("payments", W49))
    in_tx(migrated, lambda s: s.digests.release("search", W48))
    assert _count(migrated) == 1


def test_posted_records_the_ts(migrated: Engine) -> None:
    _claim(migrated, "payments", W48, channel="C1")
    _claim(migrated, "search", W48, at=T0 + timedelta(minutes=1), channel="C2")
    in_tx(migrated, lambda s: s.digests.posted("payments", W48, "1764000000.000100"))
    assert read_only(migrated, lambda s: s.digests.runs()) == [
        DigestClaim("search", W48, T0 + timedelta(minutes=1), "C2", None),
        DigestClaim("payments", W48, T0, "C1", "1764000000.000100"),
    ]
    assert _claim(migrated, "payments", W48) is False  # posted: still claimed


def test_posted_without_a_claim_is_a_lookup_error(migrated: Engine) -> None:
    _claim(migrated, "payments", W48)
    with pytest.raises(LookupError, match="search"):
        in_tx(migrated, lambda s: s.digests.posted("search", W48, "1.2"))
    with pytest.raises(LookupError, match=W49):
        in_tx(migrated, lambda s: s.digests.posted("payments", W49, "1.2"))
    assert [run.ts for run in read_only(migrated, lambda s: s.digests.runs())] == [None]


def test_runs_newest_first_by_team_and_limited(migrated: Engine) -> None:
    weeks = [f"2026-W{n:02d}" for n in range(20, 46)]  # 26 weeks, one claim a week
    for i, week in enumerate(weeks):
        _claim(migrated, "payments", week, at=T0 + timedelta(weeks=i))
    _claim(migrated, "search", W48, at=T0 + timedelta(days=3))

    found = read_only(migrated, lambda s: s.digests.runs("payments"))
    assert len(found) == 20  # the default limit
    assert [run.week for run in found] == weeks[::-1][:20]
    assert {run.team for run in found} == {"payments"}
    assert read_only(migrated, lambda s: s.digests.runs("search")) == [
        DigestClaim("search", W48, T0 + timedelta(days=3), "", None)
    ]
    newest = read_only(migrated, lambda s: s.digests.runs(limit=3))
    assert [run.week for run in newest] == weeks[::-1][:3]
    every = read_only(migrated, lambda s: s.digests.runs(limit=50))
    assert [run.team for run in every].count("search") == 1
    assert read_only(migrated, lambda s: s.digests.runs(limit=0)) == []
    assert read_only(migrated, lambda s: s.digests.runs("billing")) == []
    with pytest.raises(ValueError, match="negative"):
        read_only(migrated, lambda s: s.digests.runs(limit=-1))


def test_claims_at_the_same_time_keep_insertion_order(migrated: Engine) -> None:
    teams = ["a", "b", "c"]
    for team in teams:
        _claim(migrated, team, W48)
    assert [run.team for run in read_only(migrated, lambda s: s.digests.runs())] == teams[::-1]


def test_times_in_other_zones_load_as_utc(migrated: Engine) -> None:
    _claim(migrated, "payments", W48, at=T0.astimezone(BERLIN_WINTER))
    [run] = read_only(migrated, lambda s: s.digests.runs())
    assert run.claimed_at == T0
    assert run.claimed_at.tzinfo is UTC


def test_a_naive_time_is_refused(migrated: Engine) -> None:
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        DigestRepository(session).claim("payments", W48, datetime(2026, 11, 23, 9))
    assert _count(migrated) == 0


def test_the_repository_never_commits(migrated: Engine) -> None:
    with Session(migrated) as session:
        digests = DigestRepository(session)
        assert digests.claim("payments", W48, T0) is True
        digests.posted("payments", W48, "1.2")
        assert digests.get("payments", W48) is not None
        session.rollback()
    assert _count(migrated) == 0
    _claim(migrated, "payments", W48)
    with Session(migrated) as session:
        DigestRepository(session).release("payments", W48)
        session.rollback()
    assert _count(migrated) == 1


def test_the_database_refuses_a_second_row_for_a_team_and_week(migrated: Engine) -> None:
    _claim(migrated, "payments", W48)
    statement = text(
        "INSERT INTO digest_run (team, week, claimed_at, channel)"
        " VALUES ('payments', '2026-W48', '2026-11-24 09:00:00+00:00', '')"
    )
    with migrated.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(statement)


# -- concurrency -----------------------------------------------------------------------------------


def test_two_threads_racing_for_a_claim(migrated: Engine) -> None:
    """Of two replicas claiming the same digest at the same moment exactly one wins."""
    for round_number in range(20):
        claim = partial(_claim, migrated, f"team{round_number}", W48)
        assert sorted(race(claim)) == [False, True]
    assert _count(migrated) == 20


@pytest.mark.parametrize("commit", [True, False], ids=["committed", "rolled_back"])
def test_a_claim_held_open_decides_the_second_claimer(migrated: Engine, commit: bool) -> None:
    """The second claimer waits for the first transaction: it loses if that committed and
    wins if it rolled back (a crash before the commit leaves the digest unclaimed)."""
    claimed = threading.Event()
    ended: dict[str, float] = {}

    def first() -> bool:
        with Session(migrated) as session:
            session.begin()
            result = DigestRepository(session).claim("payments", W48, T0)
            claimed.set()
            threading.Event().wait(0.5)  # the second claimer is blocked meanwhile
            ended["first"] = time.monotonic()  # from here on the second may go on
            if commit:
                session.commit()
            else:
                session.rollback()
            return result

    def second() -> bool:
        assert claimed.wait(timeout=30)
        won = _claim(migrated, "payments", W48)
        ended["second"] = time.monotonic()
        return won

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(first), pool.submit(second)]
        results = futures[0].result(timeout=60), futures[1].result(timeout=60)
    assert results == (True, not commit)
    assert ended["second"] >= ended["first"]  # it waited for the first transaction
    assert _count(migrated) == 1


# -- migration 0006 --------------------------------------------------------------------------------


def test_upgrade_from_0005_downgrade_and_upgrade_again(engine: Engine) -> None:
    """0005 -> 0006 adds digest_run next to the others; downgrading removes it."""
    upgrade(engine, "0005")
    assert "digest_run" not in inspect(engine).get_table_names()
    upgrade(engine, "0006")
    assert current(engine) == "0006"
    assert {"digest_run", "gate_decision", "reminder_sent"} <= set(
        inspect(engine).get_table_names()
    )
    assert _claim(engine) is True

    downgrade(engine, "0005")
    assert current(engine) == "0005"
    assert "digest_run" not in inspect(engine).get_table_names()
    assert "gate_decision" in inspect(engine).get_table_names()

    upgrade(engine, "0006")
    assert read_only(engine, lambda s: s.digests.runs()) == []
    assert _claim(engine) is True
    assert _claim(engine) is False
