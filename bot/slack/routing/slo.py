"""The /slo command: parse its text, read the status board, render Block Kit replies."""

import difflib
from collections.abc import Callable

from bot.domain.gate import service_verdict
from bot.domain.slo import Gate
from bot.metrics.errors import PrometheusError
from bot.services.board import StatusBoard
from bot.services.gate import GateService
from bot.services.ports import Message
from bot.slack.limits import echo
from bot.slack.messages.figures import GATE_EMOJI, by_team, least_left, slo_line, team_summaries
from bot.slack.rendering import Renderer, chunk_blocks, escape_mrkdwn
from bot.slack.routing.replies import RESPONSE_POSTS, notice
from bot.times import format_time

# `exclude` (a form) and `exclusions` are answered by the listener: bot/slack/routing/exclusions.py
SUBCOMMANDS = ("status", "gate", "alerts", "exclude", "exclusions", "help")

SHOWN_SLOS = 200  # of one team, service or SLO: worst first, in 5 posts at most
SHOWN_TEAMS = 200  # summary lines of `/slo status` for the whole catalog


class SloCommand:
    def __init__(
        self,
        board: StatusBoard,
        renderer: Renderer,
        firing: Callable[[], list[str]] = list,
        gate: GateService | None = None,
        announce: Callable[[str, str], object] | None = None,
    ) -> None:
        """firing: open alerts; gate: verdicts and overrides; announce(channel, text)."""
        self._board = board
        self._render = renderer.render
        self._firing = firing
        self._gate_service = gate
        self._announce = announce

    def answer(self, text: str, user: str = "") -> list[Message]:
        """The replies to `/slo <text>`; never raises for bad input or Prometheus outages."""
        words = text.split()
        sub = words[0].lower() if words else "status"
        try:
            if sub == "help":
                return [self._help()]
            if sub == "status":
                return self._status(words[1] if len(words) > 1 else None)
            if sub == "alerts":
                firing = self._firing()
                blocks = self._render(
                    "alert_list.json.j2",
                    alerts=firing[:SHOWN_SLOS],
                    hidden=max(0, len(firing) - SHOWN_SLOS),
                )
                return [Message("Firing burn alerts", part) for part in chunk_blocks(blocks)]
            if sub == "gate" and len(words) > 1 and words[1] == "override":
                return self._override(words[2:], user)
            if sub == "gate":
                if len(words) < 2:
                    return [self._help("`/slo gate` needs a service, e.g. `/slo gate checkout`.")]
                return self._gate(words[1], user)
        except PrometheusError as exc:
            return [self._notice(f":warning: {exc}. Budgets cannot be shown right now.")]
        close = difflib.get_close_matches(sub, SUBCOMMANDS, n=1)
        hint = f" Did you mean `/slo {close[0]}`?" if close else ""
        return [self._help(f"I don't know `{echo(sub)}`.{hint}")]

    def _status(self, target: str | None) -> list[Message]:
        catalog = self._board.catalog
        if target is not None:
            names = [*catalog.teams, *catalog.services, *(s.name for s in catalog.slos)]
            if target not in names:
                return [self._unknown("team, service or SLO", target, names)]
        at, statuses = self._board.current()
        chosen = [s for s in statuses if target in (None, s.slo.team, s.slo.service, s.slo.name)]
        title = f"Error budgets: {target}" if target else "Error budgets"
        summary = f"{title}: {len(chosen)} SLO(s) at {format_time(at)}"
        shown = chosen if target is None else sorted(chosen, key=least_left)[:SHOWN_SLOS]
        blocks = self._render(
            "slo_status.json.j2",
            title=title,
            at=format_time(at),
            count=len(chosen),
            teams=by_team(shown),
            hidden=len(chosen) - len(shown),
        )
        parts = chunk_blocks(blocks)
        if len(parts) > RESPONSE_POSTS:  # the whole catalog: one line per team instead
            teams = team_summaries(chosen)
            blocks = self._render(
                "slo_summary.json.j2",
                title=title,
                at=format_time(at),
                count=len(chosen),
                teams=teams[:SHOWN_TEAMS],
                hidden=max(0, len(teams) - SHOWN_TEAMS),
            )
            parts = chunk_blocks(blocks)
        return [Message(summary, part) for part in parts[:RESPONSE_POSTS]]

    def _gate(self, service: str, user: str) -> list[Message]:
        catalog = self._board.catalog
        if service not in catalog.services:
            return [self._unknown("service", service, list(catalog.services))]
        if self._gate_service is not None:
            answer = self._gate_service.ask(service, user or "slack")
            at, mine, verdict = answer.at, answer.statuses, answer.verdict
        else:
            at, statuses = self._board.current()
            mine = [s for s in statuses if s.slo.service == service]
            verdict = service_verdict(
                [(s.slo.name, s.gate, s.message or str(s.data)) for s in mine]
            )
        emoji = (
            GATE_EMOJI.get(Gate(verdict.decision), ":white_circle:")
            if verdict.decision != "unknown"
            else ":white_circle:"
        )
        blocks = self._render(
            "slo_gate.json.j2",
            service=service,
            decision=verdict.decision + ("" if verdict.allowed else " (deploys held)"),
            reason=verdict.reason,
            emoji=emoji,
            at=format_time(at),
            slos=[slo_line(s) for s in mine],
        )
        return [
            Message(f"Release gate for {service}: {verdict.decision}", part)
            for part in chunk_blocks(blocks)
        ]

    def _override(self, words: list[str], user: str) -> list[Message]:
        """/slo gate override <service> <hours> <reason>: admins only, announced."""
        catalog = self._board.catalog
        if self._gate_service is None:
            return [self._notice("Overrides need the bot's database.")]
        if user not in catalog.admins:
            return [
                self._notice("Only catalog admins (`admins:` in the catalog) may override a gate.")
            ]
        if len(words) < 3 or not _hours(words[1]):
            return [self._notice("Usage: `/slo gate override <service> <hours> <reason>`")]
        service, hours, reason = words[0], float(words[1]), " ".join(words[2:])
        if service not in catalog.services:
            return [self._unknown("service", service, list(catalog.services))]
        entry = self._gate_service.override(service, hours, reason, f"<@{user}>")
        text = (
            f":unlock: <@{user}> overrode the release gate of *{service}* until "
            f"{format_time(entry.until)}: {escape_mrkdwn(reason)}"
        )
        if self._announce is not None:
            self._announce(catalog.teams[catalog.services[service].team].channel, text)
        return [
            self._notice(
                f"The gate of {service} lets deploys through until {format_time(entry.until)}."
            )
        ]

    def _unknown(self, kind: str, name: str, known: list[str]) -> Message:
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        return self._notice(f"There is no {kind} called `{echo(name)}` in the catalog.{hint}")

    def _help(self, intro: str = "") -> Message:
        return Message("How to use /slo", self._render("slo_help.json.j2", intro=intro))

    def _notice(self, text: str) -> Message:
        return notice(self._render, text)


def _hours(text: str) -> bool:
    """An override's length: at least a minute (0.0167 h), at most a week."""
    try:
        return 1 / 60 <= float(text) <= 168
    except ValueError:
        return False
