"""Exclusions added and cancelled from Slack (DESIGN 9.3): who may, what is kept, who is told.

Stored exclusions count like the catalog's: `ExcludingSource` gives every use case that
reads budgets its SLOs with the stored exclusions that cover them.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.exclusions import Exclusion, ExclusionDraft, check_draft, from_draft
from bot.domain.slo import SLO, Catalog, EventsSLI
from bot.domain.status import Reading
from bot.metrics.source import EventCounts, MetricsSource, Progress
from bot.services.ports import ExclusionPresenter, Message, Notifier, PostFailed
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.exclusions")


class Exclusions:
    def __init__(
        self,
        catalog: Catalog,
        uow: UnitOfWork,
        notifier: Notifier,
        presenter: ExclusionPresenter,
        clock: Callable[[], datetime],
    ) -> None:
        self.catalog = catalog
        self._uow = uow
        self._notifier = notifier
        self._present = presenter
        self._now = clock

    def teams_of(self, slos: Sequence[str], services: Sequence[str]) -> set[str]:
        """The teams owning the chosen SLOs and the SLOs of the chosen services."""
        chosen = set(slos)
        return {s.team for s in self.catalog.slos if s.name in chosen or s.service in services}

    def may_change(self, user: str, teams: set[str]) -> bool:
        """A catalog admin, or an owner of every one of the teams."""
        if user in self.catalog.admins:
            return True
        return bool(teams) and all(user in self.catalog.teams[t].owners for t in teams)

    def check(self, draft: ExclusionDraft) -> dict[str, str]:
        """Field errors of the form (block ids), permission included."""
        slos = [s.name for s in self.catalog.slos if isinstance(s.sli, EventsSLI)]
        problems = check_draft(draft, slos, self.catalog.services)
        teams = self.teams_of(draft.slos, draft.services)
        if "what" not in problems and not self.may_change(draft.user, teams):
            problems["what"] = (
                "Only the catalog's admins or the owners of "
                f"{', '.join(sorted(teams))} may exclude these SLOs."
            )
        return problems

    def add(self, draft: ExclusionDraft) -> Exclusion:
        """Keep a checked draft and tell each owning team's channel."""
        with self._uow.begin() as store:
            exclusion = store.exclusions.add(from_draft(draft), self._now())
        covered = self.covered(exclusion)
        for team in sorted({s.team for s in covered}):
            mine = [s.name for s in covered if s.team == team]
            self._tell(self.catalog.teams[team].channel, self._present.added(exclusion, mine))
        return exclusion

    def cancel(self, exclusion_id: int, user: str) -> str:
        """Cancel a stored exclusion (for the same people who may add it): what to answer."""
        with self._uow.read() as store:
            found = store.exclusions.get(exclusion_id)
        if found is None:
            return "That exclusion no longer exists or was cancelled already."
        teams = {s.team for s in self.covered(found)}
        if not self.may_change(user, teams):
            return "Only the catalog's admins or the owning teams' owners may cancel it."
        with self._uow.begin() as store:
            cancelled = store.exclusions.cancel(exclusion_id, user, self._now())
        if cancelled is None:
            return "That exclusion was cancelled already."
        for team in sorted(teams):
            self._tell(self.catalog.teams[team].channel, self._present.cancelled(cancelled, user))
        return f"Cancelled {cancelled.name}: its events count again."

    def coming(self, at: datetime) -> list[Exclusion]:
        """The catalog's and the stored exclusions that have not ended, soonest first."""
        with self._uow.read() as store:
            stored = store.exclusions.active(at)
        found = [e for e in (*self.catalog.exclusions, *stored) if e.next_start(at) is not None]
        return sorted(found, key=lambda e: (e.next_start(at) or at, e.name))

    def covered(self, exclusion: Exclusion) -> list[SLO]:
        return [s for s in self.catalog.slos if s.covered_by([exclusion])]

    def _tell(self, channel: str, message: Message) -> None:
        try:
            self._notifier.post(channel, message.text, message.blocks)
        except PostFailed as failure:  # the exclusion counts anyway; the notice is a courtesy
            log.warning("exclusion notice to %s not posted: %s", channel, failure.reason)


class ExcludingSource:
    """A metrics source whose SLOs carry the stored exclusions too (MetricsSource); `uow`
    gives the unit of work when first read (serve migrates the schema before that)."""

    def __init__(self, source: MetricsSource, uow: Callable[[], UnitOfWork]) -> None:
        self._source = source
        self._uow = uow

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        return self._source.read(with_stored(self._uow(), slos, at), at, windows, progress)

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        (covered,) = with_stored(self._uow(), [slo], end)
        return self._source.event_counts(covered, start, end)


def with_stored(uow: UnitOfWork, slos: Sequence[SLO], at: datetime) -> list[SLO]:
    """The SLOs with the stored exclusions that cover them, over their longest window."""
    if not slos:
        return []
    longest = max(timedelta(seconds=s.period_seconds(at)) for s in slos) + timedelta(days=1)
    with uow.read() as store:
        stored = store.exclusions.between(at - longest, at + timedelta(seconds=1))
    return attach_stored(slos, stored)


def attach_stored(slos: Sequence[SLO], stored: Sequence[Exclusion]) -> list[SLO]:
    """Each SLO with those of `stored` that cover it, after its catalog exclusions."""
    out = []
    for slo in slos:
        mine = slo.covered_by(stored)
        out.append(replace(slo, exclusions=slo.exclusions + mine) if mine else slo)
    return out
