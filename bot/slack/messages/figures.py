"""Plain dicts for the templates from budget statuses: words, percentages, bars. Pure."""

from collections.abc import Sequence
from typing import Any

from bot.domain.burn import DAY, HOUR
from bot.domain.durations import format_duration
from bot.domain.slo import Gate
from bot.domain.status import DataState, SLOStatus

GATE_EMOJI = {
    Gate.OPEN: ":large_green_circle:",
    Gate.CAUTION: ":large_yellow_circle:",
    Gate.FROZEN: ":red_circle:",
}
SHOWN_BURNS = (HOUR, 6 * HOUR, DAY, 3 * DAY)


def bar(share: float, width: int = 10) -> str:
    """A text bar for a ratio in [0, 1]: filled and empty squares."""
    filled = round(min(max(share, 0.0), 1.0) * width)
    return "▰" * filled + "▱" * (width - filled)


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def slo_line(status: SLOStatus) -> dict[str, Any]:
    """One SLO as the templates show it."""
    slo = status.slo
    burns = ", ".join(
        f"{format_duration(w)} {rate:.1f}x"
        for w in SHOWN_BURNS
        if (rate := status.burn_rates.get(w)) is not None
    )
    held = f" · {status.held_back}" if status.held_back else ""  # low traffic: said, not paged
    if status.data is not DataState.OK or status.budget_remaining is None:
        return {
            "name": slo.name,
            "service": slo.service,
            "objective": status.objective_label,
            "remaining": None,
            "bar": "",
            "burns": burns or "no traffic",
            "alert": None,
            "gate": "unknown",
            "gate_emoji": ":white_circle:",
            "gate_reason": f"{status.data}: {status.message}",
        }
    gate = status.gate.gate if status.gate else None
    return {
        "name": slo.name,
        "service": slo.service,
        "objective": status.objective_label,
        "remaining": percent(status.budget_remaining),
        "bar": bar(status.budget_remaining),
        "burns": (burns or "no traffic") + held,
        "alert": str(status.alert) if status.alert else None,
        "gate": str(gate) if gate else "unknown",
        "gate_emoji": GATE_EMOJI.get(gate, ":white_circle:") if gate else ":white_circle:",
        "gate_reason": status.gate.reason if status.gate else "",
    }


def by_team(statuses: Sequence[SLOStatus]) -> list[dict[str, Any]]:
    """Teams in name order, each with its SLOs' lines."""
    teams: dict[str, list[dict[str, Any]]] = {}
    for status in sorted(statuses, key=lambda s: (s.slo.team, s.slo.name)):
        teams.setdefault(status.slo.team, []).append(slo_line(status))
    return [{"name": team, "slos": lines} for team, lines in teams.items()]


def least_left(s: SLOStatus) -> tuple[int, float, str]:
    """Sort key: least budget left first, SLOs without figures last, then by name."""
    left = s.budget_remaining
    return (1, 0.0, s.slo.name) if left is None else (0, left, s.slo.name)


def scoreboard(statuses: Sequence[SLOStatus]) -> list[dict[str, Any]]:
    """SLO lines, least budget left first; SLOs without data last."""
    return [slo_line(s) | {"team": s.slo.team} for s in sorted(statuses, key=least_left)]


def team_summaries(statuses: Sequence[SLOStatus], worst: int = 3) -> list[dict[str, Any]]:
    """One line per team, the team with the least budget left first: how many SLOs, how
    many per gate, and its `worst` SLOs (least budget left first)."""
    teams: dict[str, list[SLOStatus]] = {}
    for status in statuses:
        teams.setdefault(status.slo.team, []).append(status)
    out: list[tuple[tuple[int, float, str], dict[str, Any]]] = []
    for team, mine in teams.items():
        mine.sort(key=least_left)
        gates: dict[str, int] = {}
        for s in mine:
            gate = str(s.gate.gate) if s.gate else "unknown"
            gates[gate] = gates.get(gate, 0) + 1
        out.append(
            (
                least_left(mine[0]),
                {
                    "name": team,
                    "count": len(mine),
                    "gates": ", ".join(f"{n} {g}" for g, n in sorted(gates.items())),
                    "worst": [
                        f"{s.slo.name} ({percent(s.budget_remaining)} left)" for s in mine[:worst]
                    ],
                },
            )
        )
    out.sort(key=lambda pair: pair[0])
    return [line for _, line in out]
