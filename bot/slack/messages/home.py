"""The App Home scoreboard view."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.actions import ActionItem
from bot.metrics.errors import PrometheusError
from bot.services.board import StatusBoard
from bot.slack.messages.figures import scoreboard
from bot.slack.messages.postmortems import action_line
from bot.slack.rendering import Renderer
from bot.times import format_time

SHOWN = 60  # SLO rows on the home tab
SHOWN_ACTIONS = 10  # two blocks each: with the rest, the tab stays under 100 blocks
SHOWN_ALERTS = 10  # lines under "Burning now"; the rest are counted


class HomeView:
    def __init__(
        self,
        board: StatusBoard,
        renderer: Renderer,
        actions_of: Callable[[str], list[ActionItem]] = lambda user: [],
        open_alerts: Callable[[], list[str]] = list,
    ) -> None:
        """actions_of: a person's open action items (from the postmortem store);
        open_alerts: the open burn alerts as lines (from the alert store), shown when
        Prometheus cannot be read."""
        self._board = board
        self._render = renderer.render
        self._actions_of = actions_of
        self._open_alerts = open_alerts

    def for_user(self, user_id: str) -> dict[str, Any]:
        """The home tab for one person: every SLO, least budget first, and what burns."""
        try:
            at, statuses = self._board.current()
        except PrometheusError as exc:
            still_open = self._open_alerts()
            down: dict[str, Any] = self._render(
                "app_home.json.j2",
                at="now",
                problem=str(exc),
                firing=[],
                still_open=still_open[:SHOWN_ALERTS],
                more_alerts=max(0, len(still_open) - SHOWN_ALERTS),
                slos=[],
                hidden=0,
                **self._actions(user_id, None),
            )
            return down
        rows = scoreboard(statuses)
        firing = [r for r in rows if r["alert"]]
        view: dict[str, Any] = self._render(
            "app_home.json.j2",
            at=format_time(at),
            problem="",
            still_open=[],
            firing=firing[:SHOWN_ALERTS],
            more_alerts=max(0, len(firing) - SHOWN_ALERTS),
            slos=rows[:SHOWN],
            hidden=max(0, len(rows) - SHOWN),
            **self._actions(user_id, at.date()),
        )
        return view

    def _actions(self, user: str, today: date | None) -> dict[str, Any]:
        """The person's action items as shown, and how many more there are."""
        items = self._actions_of(user)
        day = today or datetime.now(UTC).date()
        shown = [{"id": a.id, "text": action_line(a, day)} for a in items[:SHOWN_ACTIONS]]
        return {"actions": shown, "more_actions": max(0, len(items) - SHOWN_ACTIONS)}
