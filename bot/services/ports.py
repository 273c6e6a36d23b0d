"""Ports the use cases own: where messages go, how a failed post is told, and what turns
the use cases' results into messages (the chat adapter implements each). Pure."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.actions import ActionItem, Postmortem
from bot.domain.alerts import OpenAlert
from bot.domain.digest import TeamDigest
from bot.domain.exclusions import Exclusion
from bot.domain.incidents import Change, Incident
from bot.domain.slo import SLO
from bot.domain.status import SLOStatus


@dataclass(frozen=True)
class Message:
    """What the chat shows: the notification text, and the rich blocks."""

    text: str
    blocks: list[dict[str, Any]]


class PostFailed(Exception):
    """A post, update or upload failed; the adapter says what is known about it.

    surely_not_sent: nothing reached the channel (a refusal, no connection), so the claim
    may be given back. retryable: besides, a later attempt may pass (no connection, rate
    limited), where a refusal such as not_in_channel waits for a person. needs_invite: the
    refusal says the bot is not in the channel (someone must invite it). refused_content:
    the refusal is of the message itself (its blocks or its length), so the same message
    will be refused again until its content changes.
    """

    def __init__(
        self,
        reason: str,
        *,
        surely_not_sent: bool,
        retryable: bool,
        needs_invite: bool = False,
        refused_content: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.surely_not_sent = surely_not_sent
        self.retryable = retryable and surely_not_sent
        self.needs_invite = needs_invite
        self.refused_content = refused_content


class Notifier(Protocol):
    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        """Post a message (in a thread when thread_ts is given); returns its ts."""
        ...

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace a message's text and blocks in place."""
        ...

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        """Share a file (a chart) in the channel."""
        ...


class AlertPresenter(Protocol):
    """Burn-alert messages."""

    def firing(self, status: SLOStatus, alert: OpenAlert, now: datetime) -> Message: ...

    def resolved(self, status: SLOStatus, alert: OpenAlert, now: datetime) -> Message: ...

    def repeated(self, message: Message) -> Message: ...

    def escalated(self, status: SLOStatus) -> Message: ...

    def resolution_note(self, status: SLOStatus, alert: OpenAlert) -> Message: ...

    def data_missing(
        self, slo: SLO, since: datetime, why: str | None, everywhere: bool
    ) -> Message: ...


class DigestPresenter(Protocol):
    """Weekly digest messages: a team's, and the platform's ranking."""

    def team(self, digest: TeamDigest, timezone: str) -> tuple[str, list[dict[str, Any]]]: ...

    def platform(
        self, ranked: Sequence[TeamDigest], at: datetime, timezone: str
    ) -> tuple[str, list[dict[str, Any]]]: ...


class ReminderPresenter(Protocol):
    """Action-item reminders: one line per item, and the message around the lines."""

    def line(self, item: ActionItem, today: date) -> str: ...

    def reminder(self, intro: str, lines: list[str]) -> Message: ...


class IncidentPresenter(Protocol):
    """Incident cards, and what the declarer reads when a card was refused."""

    def card(self, incident: Incident) -> Message: ...

    def card_refused(
        self, key: str, channel: str, failure: PostFailed, elsewhere: list[str]
    ) -> Message: ...

    def timeline(self, incident: Incident, change: Change) -> Message:
        """One line in the card's thread: acknowledged, mitigated, reclassified, ..."""
        ...

    def escalation(self, incident: Incident, mentions: Sequence[str], deadline_s: int) -> Message:
        """The one post when nobody acknowledged the incident within its deadline."""
        ...


class PostmortemPresenter(Protocol):
    """What a filed postmortem posts: its summary in the incident's threads, and DMs."""

    def summary(
        self, incident: Incident, postmortem: Postmortem, by: str, today: date
    ) -> Message: ...

    def new_action(self, item: ActionItem, by: str, today: date) -> Message: ...

    def owned(self, incident: Incident, items: list[ActionItem], today: date) -> Message: ...


class ExclusionPresenter(Protocol):
    """What the owning team's channel reads when an exclusion is added or cancelled."""

    def added(self, exclusion: Exclusion, slos: list[str]) -> Message: ...

    def cancelled(self, exclusion: Exclusion, by: str) -> Message: ...


@dataclass(frozen=True)
class WebhookAnswer:
    """What a policy webhook's receiver answered: its HTTP status (None when there was no
    answer: refused, timed out, unreachable) and a short excerpt of the body or the error."""

    status: int | None
    excerpt: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(Protocol):
    """The second outbound port beside the chat: POSTs to the systems that act on budgets."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookAnswer:
        """POST `body` (JSON) with `headers`; never follows a redirect, never raises for the
        receiver's or the network's failures (they are answers)."""
        ...


class PolicyPresenter(Protocol):
    """A Slack policy action's message."""

    def action(self, text: str, event: str, service: str) -> Message: ...
