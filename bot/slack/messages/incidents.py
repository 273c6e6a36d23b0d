"""Incident cards, their refusal notices and `/incident list`: Block Kit for messages."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.domain.exclusions import excluded, merged, seconds
from bot.domain.incidents import (
    Change,
    ImpactState,
    Incident,
    IncidentSeverity,
    SLOImpact,
    classify_incident,
    overage,
)
from bot.domain.slo import SLO, Catalog
from bot.services.ports import Message, PostFailed
from bot.slack.limits import cut
from bot.slack.messages import incident_timeline
from bot.slack.messages.figures import bar, percent
from bot.slack.rendering import Renderer, escape_mrkdwn
from bot.times import format_time

CARD_SLOS = 20  # SLO lines on a card; `/incident show` lists more
SHOWN_SLOS = 200  # SLO lines of `/incident show`: within 5 posts to its response_url
SEV1_NOTE = (
    ":memo: *Postmortem required*: this incident spent over 20 % of an error budget. The SRE "
    "Workbook's error budget policy asks for a postmortem with at least one P0 action."
)


class IncidentMessages:
    def __init__(
        self,
        renderer: Renderer,
        catalog: Catalog,
        excluding: Callable[[Sequence[SLO], datetime], list[SLO]] | None = None,
    ) -> None:
        """excluding: the SLOs with the stored exclusions too (the catalog's are on them)."""
        self._render = renderer.render
        self._catalog = catalog
        self._excluding = excluding

    def card(self, incident: Incident, shown: int = CARD_SLOS) -> Message:
        """The incident's card: the `shown` SLOs that spent
        the most budget, and a count of the rest."""
        draft = incident.draft
        window = f"{format_time(draft.started_at)} → " + (
            format_time(draft.ended_at) if draft.ended_at else "ongoing"
        )
        summary = (
            f"*Services:* {cut(escape_mrkdwn(', '.join(draft.services)), 1000)}\n"
            f"*Window:* {window}\n*Declared by* <@{draft.declared_by}>"
            f"{self._excluded(incident)}"
        )
        timings = incident_timeline.timings(incident)
        if timings:
            summary += "\n" + timings
        impacts = sorted(incident.impacts, key=_most_spent)
        slos = [_slo_line(i) for i in impacts[:shown]]
        state = "resolved " + format_time(incident.resolved_at) if incident.resolved_at else "open"
        headline = f"{incident.key}: {draft.title}"
        blocks = self._render(
            "incident_card.json.j2",
            headline=headline,
            summary=summary,
            description=escape_mrkdwn(draft.description),
            more=max(0, len(impacts) - shown),
            key=incident.key,
            classification=classification(incident, self._catalog),
            slos=slos,
            postmortem=SEV1_NOTE if incident.severity is IncidentSeverity.SEV1 else "",
            footer=f"{incident.key} · {state} · declared {format_time(incident.declared_at)}",
            buttons=incident.resolved_at is None,
            acknowledge=incident.acknowledged_at is None,
            mitigate=incident.mitigated_at is None,
            id=incident.id,
        )
        # The fallback text is mrkdwn (notifications, screen readers): escaped, so that a
        # title such as "<!channel> is down" pings nobody. The header is plain text.
        text = f"{incident.key}: {escape_mrkdwn(draft.title)}"
        return Message(f"{text} ({incident.severity or 'impact pending'})", blocks)

    def _excluded(self, incident: Incident) -> str:
        """A line when exclusions cover part of the window: those minutes cost no budget."""
        affected = {i.slo for i in incident.impacts}
        slos = [s for s in self._catalog.slos if s.name in affected]
        start, end = incident.draft.started_at, incident.draft.ended_at or incident.declared_at
        if self._excluding is not None and slos:
            slos = self._excluding(slos, end)
        names: dict[str, str] = {}
        covered = []
        for slo in slos:
            found = excluded(slo.exclusions, slo.name, slo.service, slo.team, start, end)
            covered += found
            for e in slo.exclusions:
                if e.occurrences(start, end):
                    names[e.name] = e.reason
        minutes = seconds(merged(covered)) // 60
        if not minutes:
            return ""
        which = "; ".join(
            f"{escape_mrkdwn(n)}: {escape_mrkdwn(cut(r, 200))}" for n, r in names.items()
        )
        whole = " (the whole window)" if minutes * 60 >= (end - start).total_seconds() - 60 else ""
        return f"\n*Excluded:* {minutes} min{whole} cost no budget ({which})"

    def card_refused(
        self, key: str, channel: str, failure: PostFailed, elsewhere: list[str]
    ) -> Message:
        """What the declarer reads when Slack refused a card: what happened, what to do."""
        where = f" The card is in {', '.join(f'<#{c}>' for c in elsewhere)}." if elsewhere else ""
        if failure.needs_invite:
            todo = (
                f"Invite budgetbot there (`/invite @budgetbot` in <#{channel}>); the card is "
                "posted within 15 minutes after that."
            )
        else:
            todo = (
                "It is tried again every 15 minutes for a day; if it keeps failing, ask "
                "whoever runs budgetbot to look at its log."
            )
        reason = escape_mrkdwn(failure.reason)
        failed = f":warning: The card of {key} could not be posted in <#{channel}> ({reason})."
        text = f"{failed} {todo}{where}"
        return Message(text, self.text_blocks(text))

    def timeline(self, incident: Incident, change: Change) -> Message:
        text = f"{incident.key}: " + incident_timeline.line(incident, change)
        return Message(text, self.text_blocks(text))

    def escalation(self, incident: Incident, mentions: Sequence[str], deadline_s: int) -> Message:
        text = incident_timeline.escalation(incident, mentions, deadline_s)
        return Message(text, self.text_blocks(text))

    def text_blocks(self, mrkdwn: str) -> list[dict[str, Any]]:
        """One section of mrkdwn that is escaped already (mentions stay mentions)."""
        blocks: list[dict[str, Any]] = self._render("text.json.j2", text=mrkdwn)
        return blocks

    def listing(self, title: str, incidents: Sequence[Incident]) -> list[dict[str, Any]]:
        lines = [
            f"*{i.key}* {escape_mrkdwn(i.draft.title)} · {i.severity or 'impact pending'} · "
            f"{', '.join(i.draft.services)} · {format_time(i.draft.started_at)}"
            + (" · open" if i.resolved_at is None else " · resolved")
            for i in incidents[:45]
        ]
        blocks: list[dict[str, Any]] = self._render(
            "incident_list.json.j2", title=title, lines=lines
        )
        return blocks


def _most_spent(impact: SLOImpact) -> tuple[int, float, str]:
    spent = impact.budget_consumed
    return (1, 0.0, impact.slo) if spent is None else (0, -spent, impact.slo)


def _slo_line(impact: SLOImpact) -> str:
    if impact.budget_consumed is None:
        return f"*{impact.slo}*: unknown impact ({escape_mrkdwn(impact.note)})"
    budget = "*overage*: no budget left" if overage(impact) else "within budget"
    return (
        f"*{impact.slo}*: `{bar(min(impact.budget_consumed, 1.0))}` "
        f"{percent(impact.budget_consumed)} of its budget · {budget} · "
        f"{percent(impact.remaining_after)} left, gate {impact.gate_after or 'unknown'}"
    )


def classification(incident: Incident, catalog: Catalog) -> str:
    """The severity line: the class with its reason, and the computed one beside an override."""
    if incident.impact_state is ImpactState.PENDING:
        computed = "impact pending: Prometheus could not be read; the next cycle fills it in"
    else:
        _, severity, reason = classify_incident(incident.impacts, catalog.severity)
        computed = f"{severity}: {reason}" if severity else f"unknown impact: {reason}"
    if incident.severity_override:
        return (
            f"*Severity {incident.severity_override}* "
            f"(set by hand: {escape_mrkdwn(incident.override_reason)}) · "
            f"computed {computed}"
        )
    return f"*Severity {computed}*"
