"""The App Home scoreboard view."""

from typing import Any

from bot.metrics.prometheus import PrometheusError
from bot.services.board import StatusBoard
from bot.slack.presenters import scoreboard
from bot.slack.rendering import Renderer
from bot.times import format_time

SHOWN = 80  # SLO rows on the home tab; with the other blocks it stays under 100


class HomeView:
    def __init__(self, board: StatusBoard, renderer: Renderer) -> None:
        self._board = board
        self._render = renderer.render

    def for_user(self, user_id: str) -> dict[str, Any]:
        """The home tab for one person: every SLO, least budget first, and what burns."""
        try:
            at, statuses = self._board.current()
        except PrometheusError as exc:
            down: dict[str, Any] = self._render(
                "app_home.json.j2", at="now", problem=str(exc), firing=[], slos=[], hidden=0
            )
            return down
        rows = scoreboard(statuses)
        view: dict[str, Any] = self._render(
            "app_home.json.j2",
            at=format_time(at),
            problem="",
            firing=[r for r in rows if r["alert"]][:10],
            slos=rows[:SHOWN],
            hidden=max(0, len(rows) - SHOWN),
        )
        return view
