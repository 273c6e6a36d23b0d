"""/incident list|show|ack|mitigate|resolve|correct|reclassify|help (declare opens the form:
see the listener)."""

import difflib
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.incidents import Incident, IncidentSeverity
from bot.metrics.errors import PrometheusError
from bot.services.incident_cards import IncidentCards
from bot.services.incidents import Incidents
from bot.services.ports import Message
from bot.slack.limits import echo
from bot.slack.messages.incidents import SHOWN_SLOS, IncidentMessages
from bot.slack.rendering import Renderer, chunk_blocks
from bot.slack.routing.replies import notice
from bot.times import format_time, parse_time

SUBCOMMANDS = (
    "declare",
    "list",
    "show",
    "ack",
    "mitigate",
    "resolve",
    "correct",
    "reclassify",
    "help",
)
MARKS = {"ack": "acknowledged", "mitigate": "mitigated"}
HELP = (
    "`/incident declare`: open the form (title, services, start, end, severity)\n"
    "`/incident list [open|week|<service>]`: recent incidents\n"
    "`/incident show <id>`: one incident's card\n"
    "`/incident ack <id>`: acknowledge it (someone is on it)\n"
    "`/incident mitigate <id>`: the impact is mitigated\n"
    "`/incident resolve <id> [end time]`: close it (now, or at an RFC 3339 time)\n"
    "`/incident correct <id> start|end <time>`: correct when the impact began or ended\n"
    "`/incident reclassify <id> <SEV1..SEV4> <reason>`: override the computed class"
)
_ID = re.compile(r"^(?:INC-)?(\d+)$", re.IGNORECASE)


class IncidentCommand:
    def __init__(
        self,
        incidents: Incidents,
        messages: IncidentMessages,
        cards: IncidentCards,
        renderer: Renderer,
        now: Callable[[], datetime],
    ) -> None:
        self._incidents = incidents
        self._messages = messages
        self._cards = cards
        self._render = renderer.render
        self._now = now

    def answer(self, text: str, user: str) -> list[Message]:
        words = text.split()
        sub = words[0].lower() if words else "help"
        args = words[1:]
        try:
            if sub == "list":
                return self._list(args[0] if args else "open")
            if sub == "show" and args:
                return self._show(args[0])
            if sub in MARKS and args:
                return self._mark(args[0], MARKS[sub], user)
            if sub == "correct" and len(args) >= 3 and args[1].lower() in ("start", "end"):
                return self._correct(args[0], args[1].lower(), " ".join(args[2:]), user)
            if sub == "resolve" and args:
                return self._resolve(args[0], " ".join(args[1:]), user)
            if sub == "reclassify" and len(args) >= 3:
                return self._reclassify(args[0], args[1], " ".join(args[2:]), user)
        except PrometheusError as exc:
            return [self._notice(f":warning: {exc}; the impact will be computed later.")]
        if sub in SUBCOMMANDS and sub != "help":
            return [self._notice(f"`/incident {sub}` needs more.\n{HELP}")]
        close = difflib.get_close_matches(sub, SUBCOMMANDS, n=1)
        hint = f"Did you mean `/incident {close[0]}`?\n" if close and sub != "help" else ""
        return [self._notice(hint + HELP)]

    def _list(self, which: str) -> list[Message]:
        catalog = self._incidents.catalog
        if which == "open":
            found, title = self._incidents.find(open_only=True), "Open incidents"
        elif which == "week":
            since = self._now() - timedelta(days=7)
            found, title = self._incidents.find(since=since), "Incidents of the last 7 days"
        elif which in catalog.services:
            found, title = self._incidents.find(service=which), f"Incidents of {which}"
        else:
            close = difflib.get_close_matches(which, list(catalog.services), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            return [self._notice(f"`{echo(which)}` is neither open, week nor a service.{hint}")]
        blocks = self._messages.listing(title, found)
        return [Message(title, part) for part in chunk_blocks(blocks)]

    def _show(self, key: str) -> list[Message]:
        incident = self._find(key)
        if incident is None:
            return [self._notice(f"There is no incident `{echo(key)}`.")]
        card = self._messages.card(incident, shown=SHOWN_SLOS)
        return [Message(card.text, part) for part in chunk_blocks(card.blocks)]

    def _resolve(self, key: str, when: str, user: str) -> list[Message]:
        incident = self._find(key)
        if incident is None:
            return [self._notice(f"There is no incident `{echo(key)}`.")]
        try:
            ended = parse_time(when) if when else None
        except ValueError as exc:
            return [self._notice(str(exc))]
        if ended is not None and (ended <= incident.draft.started_at or ended > self._now()):
            return [self._notice("The end must come after the start and not in the future.")]
        resolved = self._cards.resolve(incident.id, user, ended)
        if resolved is None:
            return [self._notice(f"{incident.key} was already resolved.")]
        return [
            self._notice(f"{resolved.key} is resolved: {resolved.severity or 'unknown impact'}.")
        ]

    def _reclassify(self, key: str, severity: str, reason: str, user: str) -> list[Message]:
        incident = self._find(key)
        if incident is None:
            return [self._notice(f"There is no incident `{echo(key)}`.")]
        try:
            chosen = IncidentSeverity(severity.upper())
        except ValueError:
            return [self._notice(f"`{echo(severity)}` is not one of SEV1, SEV2, SEV3, SEV4.")]
        changed = self._cards.reclassify(incident.id, chosen, reason, user)
        if changed is None:
            return [self._notice(f"{incident.key} could not be reclassified.")]
        return [
            self._notice(f"{changed.key} is now {chosen} (computed: {changed.severity_computed}).")
        ]

    def _mark(self, key: str, what: str, user: str) -> list[Message]:
        incident = self._find(key)
        if incident is None:
            return [self._notice(f"There is no incident `{echo(key)}`.")]
        marked, done = self._cards.mark(incident.id, what, user)
        at = getattr(marked, f"{what}_at", None)
        if not done and at is not None:
            return [self._notice(f"{incident.key} was {what} before, at {format_time(at)}.")]
        return [self._notice(f"{incident.key} is {what}.")]

    def _correct(self, key: str, field: str, when: str, user: str) -> list[Message]:
        incident = self._find(key)
        if incident is None:
            return [self._notice(f"There is no incident `{echo(key)}`.")]
        try:
            value = parse_time(when)
        except ValueError as exc:
            return [self._notice(str(exc))]
        corrected = self._cards.correct(incident.id, field, value, user)
        if isinstance(corrected, str):
            return [self._notice(corrected)]
        return [self._notice(f"{corrected.key}: its {field} is now {format_time(value)}.")]

    def _find(self, key: str) -> Incident | None:
        found = _ID.match(key)
        return self._incidents.get(int(found.group(1))) if found else None

    def _notice(self, text: str) -> Message:
        return notice(self._render, text)
