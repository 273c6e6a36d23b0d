"""The alerting cycle: evaluate every SLO at one instant, decide each alert, post once.

Every outward post is claimed in the database first (a unique row per episode and kind,
or per SLO and outage), so a crash, a retry or a second replica never posts twice. A
claim whose post surely did not leave is given back and sent by a later cycle; an opening
post that may or may not have arrived is posted once more, marked as a repeat.
"""

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.alerts import Action, OpenAlert, Watch, decide
from bot.domain.slo import Catalog, Severity
from bot.domain.status import DataState, SLOStatus
from bot.metrics.errors import PrometheusError
from bot.metrics.source import MetricsSource
from bot.services.alert_claims import give_back_post, give_back_repeat, unwarn
from bot.services.alert_posts import AlertPosts, CycleReport
from bot.services.ports import AlertPresenter, Notifier
from bot.services.status import evaluate_status
from storage.alerts import AlertRepository
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.alerting")

# An opening post claimed this long ago without a ts may not have arrived (the post client
# gives up after 30 s): it is posted once more, marked.
UNCERTAIN_AFTER = timedelta(minutes=2)


class AlertingCycle:
    def __init__(
        self,
        catalog: Catalog,
        source: MetricsSource,
        uow: UnitOfWork,
        notifier: Notifier,
        messages: AlertPresenter,
        on_evaluated: Callable[[datetime, list[SLOStatus]], None] | None = None,
        on_states: Callable[[datetime, list[SLOStatus], frozenset[str]], object] | None = None,
    ) -> None:
        self._catalog = catalog
        self._source = source
        self._uow = uow
        self._posts = AlertPosts(uow, notifier)
        self._messages = messages
        self._on_evaluated = on_evaluated
        self._on_states = on_states  # policy events (bot/services/policy_events.py)

    def run(self, at: datetime) -> CycleReport:
        """One cycle at the instant `at`: gather, decide, act."""
        report = CycleReport(at)
        try:
            statuses = evaluate_status(self._catalog, self._source, at)
        except PrometheusError as exc:  # every SLO keeps its state; the outage clock runs
            report.prometheus_error = str(exc)
            statuses = [SLOStatus(slo, DataState.ERROR, str(exc)) for slo in self._catalog.slos]
        else:
            self._record(at, statuses)
        with self._uow.begin() as store:
            watches = store.alerts.watches(s.slo.name for s in statuses)
            self._close_orphans(store.alerts, at)
            # Given back in an earlier cycle: sent after this one.
            unsent = store.alerts.unsent()
            replies = store.alerts.unsent_resolutions(at - timedelta(days=1))
            # Claimed long ago (real time: the post's own clock), never confirmed.
            uncertain = store.alerts.uncertain(datetime.now(UTC) - UNCERTAIN_AFTER)
        quiet: list[tuple[str, Watch]] = []
        paging: set[str] = set()  # SLOs whose page-level alert is open after this cycle
        try:
            for status in statuses:
                report.evaluated += 1
                report.without_data += status.data is not DataState.OK
                before = watches[status.slo.name]
                decision = decide(before, status, at, self._catalog.alert_policy(status.slo.tier))
                if decision.watch.alert and decision.watch.alert.severity is Severity.PAGE:
                    paging.add(status.slo.name)
                if not decision.actions:
                    if decision.watch != before:
                        quiet.append((status.slo.name, decision.watch))
                    continue
                try:
                    self._act(status, before, decision.watch, decision.actions, at, report)
                except Exception:  # one SLO's failure must not stop the others' alerts
                    report.failed_slos += 1
                    log.exception("alerting for %s failed", status.slo.name)
        finally:
            with self._uow.begin() as store:
                for name, watch in quiet:
                    store.alerts.save(name, watch)
        if not report.prometheus_error:  # only with data: Prometheus down makes no event
            self._observe(at, statuses, frozenset(paging))
        current = {s.slo.name: s for s in statuses if s.data is DataState.OK}
        self._send_unsent(unsent, replies, current, at, report)
        self._repeat_uncertain(uncertain, current, at, report)
        return report

    def _repeat_uncertain(
        self,
        uncertain: list[tuple[str, OpenAlert]],
        current: dict[str, SLOStatus],
        at: datetime,
        report: CycleReport,
    ) -> None:
        """Opening posts that may or may not have arrived (a timeout, a 5xx, a replica
        killed mid-post) are posted once more, marked as such: never lost, never blind."""
        for name, alert in uncertain:
            if name not in current:
                continue
            with self._uow.begin() as store:
                claimed = store.alerts.claim_repeat(alert.episode)
            if claimed:
                log.warning("the alert of %s may not have arrived: posted again, marked", name)
                self._open(current[name], alert, at, report, repeat=True)

    def _send_unsent(
        self,
        unsent: list[tuple[str, OpenAlert]],
        replies: list[tuple[str, OpenAlert, tuple[str, str]]],
        current: dict[str, SLOStatus],
        at: datetime,
        report: CycleReport,
    ) -> None:
        """Post the opening messages and resolution replies that surely did not leave in
        an earlier cycle."""
        self._send_unsent_resolutions(replies, current, at, report)
        for name, alert in unsent:
            if name not in current:
                continue
            with self._uow.begin() as store:
                claimed = store.alerts.claim_post(alert.episode, "open")
            if claimed:
                report.opened += 1
                self._open(current[name], alert, at, report)

    def _send_unsent_resolutions(
        self,
        pending: list[tuple[str, OpenAlert, tuple[str, str]]],
        current: dict[str, SLOStatus],
        at: datetime,
        report: CycleReport,
    ) -> None:
        """Resolution replies given back in an earlier cycle (of the last day): sent now."""
        for name, alert, ref in pending:
            status = current.get(name)
            if status is None:
                continue
            with self._uow.begin() as store:
                claimed = store.alerts.claim_post(alert.episode, "resolve")
            if claimed:
                resolved = self._messages.resolved(status, alert, at)
                note = self._messages.resolution_note(status, alert)
                give_back = give_back_post(alert.episode, "resolve")
                self._posts.follow_up(ref, resolved, note, report, give_back)

    def _close_orphans(self, repo: AlertRepository, at: datetime) -> None:
        """Resolve the open alerts of SLOs that left the catalog (nothing else would)."""
        known = {slo.name for slo in self._catalog.slos}
        for name, alert, _, _ in repo.firing():
            if name not in known and repo.resolve(alert.episode, at):
                log.info("closed the alert of %s: the SLO is no longer in the catalog", name)

    def _record(self, at: datetime, statuses: list[SLOStatus]) -> None:
        if self._on_evaluated is not None:
            try:
                self._on_evaluated(at, statuses)
            except Exception:  # snapshots are for charts: never worth skipping a cycle
                log.exception("keeping budget snapshots failed")

    def _observe(self, at: datetime, statuses: list[SLOStatus], paging: frozenset[str]) -> None:
        """Policy events from the statuses and the alerts as this cycle left them."""
        if self._on_states is not None:
            try:
                self._on_states(at, statuses, paging)
            except Exception:  # the next cycle observes the change again
                log.exception("recording policy events failed")

    def _act(
        self,
        status: SLOStatus,
        before: Watch,
        after: Watch,
        actions: tuple[Action, ...],
        at: datetime,
        report: CycleReport,
    ) -> None:
        name = status.slo.name
        for action in actions:
            if action is Action.OPEN and after.alert is not None:
                with self._uow.begin() as store:
                    episode = store.alerts.open_episode(name, after.alert)
                    if episode is None:  # another replica opened it first
                        return
                    opened = replace(after.alert, episode=episode)
                    after = replace(after, alert=opened)
                    store.alerts.save(name, after)
                    claimed = store.alerts.claim_post(episode, "open")
                if claimed:
                    report.opened += 1
                    self._open(status, opened, at, report)
            elif action is Action.ESCALATE and after.alert is not None:
                with self._uow.begin() as store:
                    store.alerts.save(name, after)
                    claimed = store.alerts.claim_post(after.alert.episode, "escalate")
                    ref = store.alerts.message(after.alert.episode)
                if claimed:
                    report.escalated += 1
                    firing = self._messages.firing(status, after.alert, at)
                    # Not sent: back to the severity before, so the next cycle escalates again.
                    episode = after.alert.episode
                    earlier = before.alert.severity if before.alert else None
                    give_back = give_back_post(episode, "escalate", earlier)
                    note = self._messages.escalated(status)
                    self._posts.follow_up(ref, firing, note, report, give_back)
            elif action is Action.RESOLVE and before.alert is not None:
                episode = before.alert.episode
                with self._uow.begin() as store:
                    store.alerts.save(name, after)
                    claimed = store.alerts.resolve(episode, at) and store.alerts.claim_post(
                        episode, "resolve"
                    )
                    ref = store.alerts.message(episode)
                if claimed:
                    report.resolved += 1
                    resolved = self._messages.resolved(status, before.alert, at)
                    note = self._messages.resolution_note(status, before.alert)
                    if ref is None:  # the opening post never got a ts: say it afresh
                        team = self._catalog.teams[status.slo.team]
                        channel = team.channel_for(before.alert.severity)
                        self._posts.send(
                            report,
                            self._posts.notifier.post,
                            channel,
                            resolved.text,
                            resolved.blocks,
                        )
                    give_back = give_back_post(episode, "resolve")  # see _send_unsent
                    self._posts.follow_up(ref, resolved, note, report, give_back)
            elif action is Action.DATA_MISSING and after.missing_since is not None:
                # Prometheus itself down: one warning per team and outage, not one per SLO.
                subject = f"prometheus@{status.slo.team}" if report.prometheus_error else name
                with self._uow.begin() as store:
                    store.alerts.save(name, after)
                    claimed = store.alerts.claim_data_warning(subject, after.missing_since)
                if claimed:
                    report.data_warnings += 1
                    channel = self._catalog.teams[status.slo.team].channel
                    warning = self._messages.data_missing(
                        status.slo,
                        after.missing_since,
                        status.message,
                        bool(report.prometheus_error),
                    )
                    give_back = unwarn(subject, after.missing_since, name, after)
                    what = f"data-missing warning of {name}"
                    self._posts.deliver(report, what, channel, warning, give_back)
            else:
                with self._uow.begin() as store:
                    store.alerts.save(name, after)

    def _open(
        self,
        status: SLOStatus,
        alert: OpenAlert,
        at: datetime,
        report: CycleReport,
        repeat: bool = False,
    ) -> None:
        channel = self._catalog.teams[status.slo.team].channel_for(alert.severity)
        message = self._messages.firing(status, alert, at)
        what = f"alert of {status.slo.name}"
        give_back = give_back_post(alert.episode, "open")
        if repeat:
            message, give_back = self._messages.repeated(message), give_back_repeat(alert.episode)
        ts = self._posts.deliver(report, what, channel, message, give_back)
        if ts is not None:
            with self._uow.begin() as store:
                store.alerts.set_message(alert.episode, channel, ts, at)
