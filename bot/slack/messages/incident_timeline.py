"""An incident's timings on its card, its timeline lines in the card's thread, and its
escalation post (docs/incidents.md). Times are the bot's clock."""

import re
from collections.abc import Sequence
from datetime import datetime

from bot.domain.incidents import Change, Incident
from bot.slack.limits import cut
from bot.slack.rendering import escape_mrkdwn
from bot.times import format_time

_USER = re.compile(r"^[UW][A-Z0-9]+$")
_ICONS = {
    "acknowledged": ":eyes:",
    "mitigated": ":adhesive_bandage:",
    "reclassified": ":label:",
    "resolved": ":white_check_mark:",
    "corrected": ":pencil2:",
    "postmortem": ":memo:",
}


def span(seconds: float) -> str:
    """A duration people read: "45 s", "7 min", "2 h 5 min", "3 d 4 h"."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def who(actor: str) -> str:
    """A Slack user id as a mention; anyone else (the CLI, budgetbot) as escaped text."""
    return f"<@{actor}>" if _USER.match(actor) else escape_mrkdwn(actor)


def _after(later: datetime, earlier: datetime) -> str:
    return span((later - earlier).total_seconds())


def timings(incident: Incident) -> str:
    """The card's timings line; "" for incidents declared before timings were kept."""
    detected = incident.detected_at
    if detected is None:
        return ""
    start = incident.draft.started_at
    if incident.detected_by:
        by = f"by the burn alert of {escape_mrkdwn(incident.detected_by)}"
    else:
        by = "when it was declared"
    parts = [f"detected {_after(detected, start)} after impact began {by}"]
    if incident.acknowledged_at and incident.acknowledged_by:
        parts.append(
            f"acknowledged by {who(incident.acknowledged_by)} "
            f"{_after(incident.acknowledged_at, detected)} after detection"
        )
    if incident.mitigated_at and incident.mitigated_by:
        parts.append(
            f"mitigated by {who(incident.mitigated_by)} "
            f"{_after(incident.mitigated_at, start)} after impact began"
        )
    if incident.draft.ended_at:
        parts.append(f"impact ended {_after(incident.draft.ended_at, start)} after it began")
    text = " · ".join(parts)
    return "*Timings:* " + text[0].upper() + text[1:]


def line(incident: Incident, change: Change) -> str:
    """One event of the incident, for the card's thread."""
    start = incident.draft.started_at
    icon = _ICONS.get(change.kind, ":information_source:")
    what = f"{icon} {change.kind.capitalize()} by {who(change.actor)}"
    if change.kind == "acknowledged" and incident.detected_at:
        what += f", {_after(change.at, incident.detected_at)} after detection"
    elif change.kind == "mitigated":
        what += f", {_after(change.at, start)} after impact began"
    elif change.kind == "resolved" and incident.draft.ended_at:
        end = incident.draft.ended_at
        what += f": impact ended {format_time(end)}, {_after(end, start)} after it began"
    elif change.detail:
        what += f": {escape_mrkdwn(cut(change.detail, 500))}"
    return what


def escalation(incident: Incident, mentions: Sequence[str], deadline_s: int) -> str:
    """The one escalation post: who is asked, what, and how to acknowledge."""
    ask = " ".join(mentions) or "Nobody is named in this team's `escalation`:"
    severity = incident.severity.value if incident.severity else "unclassified"
    title = escape_mrkdwn(cut(incident.draft.title, 150))
    return (
        f":rotating_light: {ask} {incident.key} ({severity}) *{title}* has not been "
        f"acknowledged within {span(deadline_s)} of its declaration. Acknowledge it on its "
        f"card or with `/incident ack {incident.key}`."
    )
