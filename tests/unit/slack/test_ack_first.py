"""AckFirst: the work after an ack waits for a quiet moment, never longer than its hold."""

import pytest

from bot.slack.app import AckFirst


class Clock:
    """A fake monotonic clock; sleeping advances it, and may end with a request arriving."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.arrive_after: int = 0  # this many of the next sleeps end with an arrival
        self.acks: AckFirst | None = None

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds
        if self.arrive_after > 0 and self.acks is not None:
            self.arrive_after -= 1
            self.acks.arrived()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def acks(clock: Clock) -> AckFirst:
    clock.acks = AckFirst(quiet=0.025, hold=1.0, clock=clock, sleep=clock.sleep)
    return clock.acks


def test_work_runs_at_once_when_no_request_came_before_it(clock: Clock, acks: AckFirst) -> None:
    done: list[str] = []
    acks.later(done.append)("answer")
    assert done == ["answer"]
    assert clock.slept == []


def test_a_lone_command_waits_one_quiet_interval_from_its_arrival(
    clock: Clock, acks: AckFirst
) -> None:
    acks.arrived()
    clock.now += 0.005  # acked and queued 5 ms after it arrived
    done: list[tuple[str, int]] = []
    acks.later(lambda text, n: done.append((text, n)))("status", n=2)
    assert done == [("status", 2)]
    assert clock.slept == [0.02]


def test_a_burst_holds_the_work_until_requests_stop_arriving(clock: Clock, acks: AckFirst) -> None:
    acks.arrived()
    done: list[float] = []
    held = acks.later(lambda: done.append(clock.now))
    clock.arrive_after = 3  # the burst goes on for three more quiet intervals
    held()
    assert clock.slept == [0.025] * 4
    assert done == [pytest.approx(100.1)]


def test_the_hold_bounds_the_wait_when_requests_never_stop(clock: Clock, acks: AckFirst) -> None:
    acks.arrived()
    done: list[float] = []
    held = acks.later(lambda: done.append(clock.now))
    clock.arrive_after = 10_000
    held()
    assert done == [pytest.approx(101.0)]  # queued at 100.0: started at its 1 s hold
    assert len(clock.slept) == 40


def test_the_hold_counts_from_when_the_work_was_queued(clock: Clock, acks: AckFirst) -> None:
    held = acks.later(lambda: None)
    clock.now += 2.0  # every worker was busy for 2 s
    acks.arrived()
    held()
    assert clock.slept == []
