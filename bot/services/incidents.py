"""Incidents: declared, classified by the budget each affected SLO lost, resolved, reclassified."""

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.domain.gate import decide_gate
from bot.domain.incident_timings import detection
from bot.domain.incidents import (
    ImpactState,
    Incident,
    IncidentDraft,
    IncidentSeverity,
    SLOImpact,
    check_draft,
    classify_incident,
)
from bot.domain.slo import SLO, Catalog
from bot.metrics.errors import PrometheusError, QueryRejected
from bot.metrics.source import MetricsSource
from bot.services.impact import incident_impact
from storage.unit_of_work import Store, UnitOfWork


class Incidents:
    def __init__(
        self,
        catalog: Catalog,
        source: MetricsSource,
        uow: UnitOfWork,
        now: Callable[[], datetime],
    ) -> None:
        self.catalog = catalog
        self._source = source
        self._uow = uow
        self._now = now

    def declare(self, draft: IncidentDraft, submission_key: str | None = None) -> Incident | None:
        """Save, then classify; None when this submission was saved before (a resubmit)."""
        now = self._now()
        with self._uow.begin() as store:
            incident_id = store.incidents.declare(draft, now, submission_key)
            if incident_id is not None:
                self._detect(store, incident_id, draft.services, draft.started_at, now)
        return None if incident_id is None else self.classify(incident_id)

    def _detect(
        self, store: Store, id: int, services: Sequence[str], start: datetime, declared: datetime
    ) -> None:
        """detected_at: the first burn alert of an affected SLO between start and declaration."""
        names = [s.name for s in self.catalog.slos if s.service in set(services)]
        at, by = detection(start, declared, store.alerts.posted_between(names, start, declared))
        store.timings.set_detected(id, at, by)

    def mark(self, incident_id: int, what: str, actor: str) -> tuple[Incident | None, bool]:
        """Acknowledge or mitigate ("acknowledged", "mitigated"): (the incident, whether this
        call set it); the first one counts, a second moves nothing. (None, False): unknown."""
        with self._uow.begin() as store:
            done = store.timings.mark(incident_id, what, actor, self._now())
        return self.get(incident_id), done

    def correct(self, incident_id: int, field: str, value: datetime, actor: str) -> Incident | str:
        """Correct the start or the end ("start", "end"): the detection and the impact are
        worked out again; a problem to show otherwise (unknown incident, a bad time)."""
        incident = self.get(incident_id)
        if incident is None:
            return f"There is no incident INC-{incident_id}."
        draft = incident.draft
        if field == "end" and draft.ended_at is None:
            return f"{incident.key} is ongoing: resolve it with its end instead."
        start = value if field == "start" else draft.started_at
        end = value if field == "end" else draft.ended_at
        changed = IncidentDraft(draft.title, draft.services, start, end, "x", "", "")
        now = self._now()
        # The start may not move past the declaration: detection is measured up to it.
        known = {*self.catalog.services, *draft.services}  # services may have left the catalog
        problems = check_draft(changed, max(now, incident.declared_at), known)
        if start > incident.declared_at:
            problems["start"] = "The start cannot be after the declaration."
        if problems:
            return " ".join(problems.values())
        with self._uow.begin() as store:
            store.timings.correct(incident_id, field, value, actor, now)
            self._detect(store, incident_id, draft.services, start, incident.declared_at)
        return self.classify(incident_id)

    def classify(self, incident_id: int) -> Incident:
        """Compute each affected SLO's impact; while Prometheus is down it stays pending."""
        incident = self.get(incident_id)
        assert incident is not None
        end = incident.draft.ended_at or self._now()
        try:
            impacts = [
                self._impact(slo, incident.draft.started_at, end) for slo in self.slos_of(incident)
            ]
        except PrometheusError:
            return incident  # pending: the next refresh tries again
        state, severity, _ = classify_incident(impacts, self.catalog.severity)
        with self._uow.begin() as store:
            store.incidents.set_impact(incident_id, impacts, state, severity, self._now())
        refreshed = self.get(incident_id)
        assert refreshed is not None
        return refreshed

    def slos_of(self, incident: Incident) -> list[SLO]:
        services = set(incident.draft.services)
        return [s for s in self.catalog.slos if s.service in services]

    def _impact(self, slo: SLO, start: datetime, end: datetime) -> SLOImpact:
        try:
            report = incident_impact(self.catalog, self._source, slo, start, end)
        except QueryRejected as exc:
            return SLOImpact(slo.name, None, None, None, note=exc.message)
        after = report.budget_remaining_after
        gate = (
            decide_gate(after, None, self.catalog.gate_policy(slo.tier)).gate
            if after is not None
            else None
        )
        return SLOImpact(
            slo.name,
            report.impact.budget_consumed,
            after,
            str(gate) if gate else None,
            report.impact.bad_events,
            report.impact.total_events,
            "" if report.impact.budget_consumed is not None else "no traffic in the window",
        )

    def resolve(
        self, incident_id: int, actor: str, ended_at: datetime | None = None
    ) -> Incident | None:
        """Close it (now, unless an end is given) and classify it one last time."""
        now = self._now()
        with self._uow.begin() as store:
            done = store.incidents.resolve(incident_id, ended_at or now, actor, now)
        return self.classify(incident_id) if done else None

    def reclassify(
        self, incident_id: int, severity: IncidentSeverity, reason: str, actor: str
    ) -> Incident | None:
        with self._uow.begin() as store:
            done = store.incidents.reclassify(incident_id, severity, reason, actor, self._now())
        return self.get(incident_id) if done else None

    def get(self, incident_id: int) -> Incident | None:
        with self._uow.begin() as store:
            return store.incidents.get(incident_id)

    def find(
        self, *, open_only: bool = False, since: datetime | None = None, service: str | None = None
    ) -> list[Incident]:
        with self._uow.begin() as store:
            return store.incidents.find(open_only=open_only, since=since, service=service)

    def refresh(self) -> list[Incident]:
        """Reclassify pending and ongoing incidents (run by the alerting schedule)."""
        with self._uow.begin() as store:
            waiting: Sequence[Incident] = store.incidents.needing_refresh()
        # A closed window's figures never change once known: only pending or ongoing ones.
        due = [i for i in waiting if i.impact_state is ImpactState.PENDING or i.ongoing]
        return [self.classify(i.id) for i in due]
