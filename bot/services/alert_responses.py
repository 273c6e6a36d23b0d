"""What people do with a burn alert: acknowledge it, silence it; and the alerts open now."""

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.alerts import OpenAlert
from storage.unit_of_work import UnitOfWork


class AlertResponses:
    def __init__(self, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
        self._uow = uow
        self._now = now

    def acknowledge(self, episode: int, user: str) -> OpenAlert | None:
        """The alert as acknowledged by `user`; None when it was resolved meanwhile."""
        with self._uow.begin() as store:
            changed = store.alerts.acknowledge(episode, user, self._now())
            return self._open_alert(store.alerts.episode(episode), changed)

    def silence(self, episode: int, hours: int) -> OpenAlert | None:
        """The alert, silent for `hours`; None when it was resolved meanwhile."""
        with self._uow.begin() as store:
            changed = store.alerts.silence(episode, self._now() + timedelta(hours=hours))
            return self._open_alert(store.alerts.episode(episode), changed)

    def firing(self) -> list[tuple[str, OpenAlert]]:
        """(slo, alert) of every open burn alert, oldest first."""
        with self._uow.read() as store:
            return [(slo, alert) for slo, alert, _, _ in store.alerts.firing()]

    @staticmethod
    def _open_alert(
        found: tuple[str, OpenAlert, datetime | None] | None, changed: bool
    ) -> OpenAlert | None:
        return found[1] if changed and found is not None else None
