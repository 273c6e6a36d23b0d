"""Burn-alert messages: words and figures for templates/alert*.json.j2."""

from datetime import datetime
from typing import Any

from bot.domain.alerts import OpenAlert
from bot.domain.durations import format_duration
from bot.domain.slo import SLO, Severity
from bot.domain.status import SLOStatus
from bot.services.ports import Message
from bot.slack.messages.figures import GATE_EMOJI, percent
from bot.slack.rendering import Renderer, escape_mrkdwn
from bot.times import format_time


def humanize(seconds: float | None) -> str:
    """ "2d 4h", "3h 20m", "45m"; "never at this rate" for None."""
    if seconds is None:
        return "never at this rate"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


def alert_state(alert: OpenAlert, now: datetime) -> str:
    """The context line under an alert: since when, who acknowledged, silences."""
    parts = [f"Firing since {format_time(alert.started_at)}"]
    if alert.acknowledged_by:
        parts.append(f"acknowledged by <@{alert.acknowledged_by}>")
    if alert.silenced(now) and alert.silenced_until:
        parts.append(f"silenced until {format_time(alert.silenced_until)}")
    return " · ".join(parts)


class AlertMessages:
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def firing(self, status: SLOStatus, alert: OpenAlert, now: datetime) -> Message:
        slo = status.slo
        fastest = max((f.long_rate for f in status.firing), default=None)
        left = status.budget_remaining
        exhaustion = status.exhaustion(fastest)
        gate = status.gate
        emoji = ":rotating_light:" if alert.severity is Severity.PAGE else ":warning:"
        summary = (
            f"{_about(status)}\n"
            f"Budget spent: *{percent(status.budget_consumed)}* · left: *{percent(left)}* · "
            f"gone in *{humanize(exhaustion)}* at the current rate\n"
            + (f"Gate: {GATE_EMOJI[gate.gate]} {gate.gate}: {gate.reason}" if gate else "")
        )
        windows = (
            "\n".join(
                f"• {format_duration(f.rule.long_window)} and "
                f"{format_duration(f.rule.short_window)} burning "
                f"{f.long_rate:.1f}x and {f.short_rate:.1f}x "
                f"(threshold {f.factor:.2f}x, {f.rule.severity})"
                for f in status.firing
            )
            or "No window is above its threshold right now."
        )
        headline = f"{alert.severity.upper()}: {slo.name} is burning its error budget"
        blocks = self._render(
            "alert.json.j2",
            headline=f"{emoji} {headline}",
            summary=summary,
            windows=windows,
            state=alert_state(alert, now),
            buttons=True,
            episode=alert.episode,
            declare=f"{slo.service}|{int(alert.started_at.timestamp())}",
        )
        return Message(f"{escape_mrkdwn(headline)} ({percent(left)} left)", blocks)

    def resolved(self, status: SLOStatus, alert: OpenAlert, now: datetime) -> Message:
        slo = status.slo
        spent = _spent(alert, status)
        lasted = humanize((now - alert.started_at).total_seconds())
        summary = (
            f"{_about(status)}\nThe burn lasted {lasted}"
            f" and spent *{spent}* of the budget; *{percent(status.budget_remaining)}* is left."
        )
        blocks = self._render(
            "alert.json.j2",
            headline=f":white_check_mark: RESOLVED: {slo.name} ({alert.severity})",
            summary=summary,
            windows="Every window is back under its threshold.",
            state=f"Fired {format_time(alert.started_at)}, resolved {format_time(now)}",
            buttons=False,
            episode=alert.episode,
            declare="",
        )
        return Message(f"Resolved: {escape_mrkdwn(slo.name)} (spent {spent} of its budget)", blocks)

    def repeated(self, message: Message) -> Message:
        """The alert again, clearly marked: its first post may or may not have arrived."""
        note: list[dict[str, Any]] = self._render("alert_repeated.json.j2")
        return Message(f"Posted again: {message.text}", note + message.blocks)

    def thread_note(self, text: str) -> Message:
        """A note of plain words: escaped (by the notice) in its blocks and its fallback."""
        return Message(escape_mrkdwn(text), self._render("notice.json.j2", text=text))

    def escalated(self, status: SLOStatus) -> Message:
        rates = ", ".join(
            f"{format_duration(f.rule.long_window)} {f.long_rate:.1f}x" for f in status.firing
        )
        return self.thread_note(f":rotating_light: Escalated to PAGE: burning {rates}.")

    def resolution_note(self, status: SLOStatus, alert: OpenAlert) -> Message:
        return self.thread_note(
            f":white_check_mark: Resolved. This burn spent {_spent(alert, status)} of the budget."
        )

    def data_missing(self, slo: SLO, since: datetime, why: str | None, everywhere: bool) -> Message:
        if everywhere:
            return self.thread_note(
                f":grey_question: {why} (since {format_time(since)}). The burn alerts of team "
                f"*{slo.team}* are on hold until it answers."
            )
        return self.thread_note(
            f":grey_question: No usable data for *{slo.name}* since {format_time(since)}: "
            f"{why or 'unknown'}. Its alerts are on hold until data is back."
        )

    def state_block(self, alert: OpenAlert, now: datetime) -> dict[str, Any]:
        block: dict[str, Any] = self._render("alert_state.json.j2", state=alert_state(alert, now))
        return block


def _about(status: SLOStatus) -> str:
    slo = status.slo
    return (
        f"*{escape_mrkdwn(slo.name)}* · service {escape_mrkdwn(slo.service)} · "
        f"team {escape_mrkdwn(slo.team)} · {status.objective_label}"
    )


def _spent(alert: OpenAlert, status: SLOStatus) -> str:
    if alert.remaining_at_start is None or status.budget_remaining is None:
        return "an unknown share"
    return percent(max(0.0, alert.remaining_at_start - status.budget_remaining))
