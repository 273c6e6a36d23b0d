"""What the bootstrap's halves need from the whole (bot/bootstrap.py and its chat half
provide each of these); declared once, for the type checker."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.slo import Catalog
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.metrics.source import MetricsSource
    from bot.observability import BotMetrics
    from bot.services.ports import Notifier
    from bot.slack.messages.incidents import IncidentMessages
    from bot.slack.rendering import Renderer
    from storage.unit_of_work import UnitOfWork


class Needs:
    settings: Settings
    now: Callable[[], datetime]

    @property
    def catalog(self) -> Catalog:
        raise NotImplementedError

    @property
    def source(self) -> "MetricsSource":
        raise NotImplementedError

    @property
    def uow(self) -> "UnitOfWork":
        raise NotImplementedError

    @property
    def metrics(self) -> "BotMetrics":
        raise NotImplementedError

    @property
    def notifier(self) -> "Notifier":
        raise NotImplementedError

    @property
    def renderer(self) -> "Renderer":
        raise NotImplementedError

    @property
    def incident_messages(self) -> "IncidentMessages":
        raise NotImplementedError
