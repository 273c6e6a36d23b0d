"""Giving a claimed alert post back when it surely did not leave, so a later cycle sends it."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.domain.alerts import Watch
from bot.domain.slo import Severity
from storage.alerts import AlertRepository


def unwarn(
    subject: str, since: datetime, name: str, watch: Watch
) -> Callable[[AlertRepository], None]:
    """Give a data-missing warning back: release its claim, mark the SLO unwarned again."""

    def give_back(repo: AlertRepository) -> None:
        repo.release_data_warning(subject, since)
        repo.save(name, replace(watch, missing_warned=False))  # the next cycle warns again

    return give_back


def give_back_post(
    episode: int, kind: str, severity: Severity | None = None
) -> Callable[[AlertRepository], None]:
    """Release the `kind` post of the episode (and set its severity back, when given)."""

    def give_back(repo: AlertRepository) -> None:
        repo.release_post(episode, kind)
        if severity is not None:
            repo.restore_severity(episode, severity)

    return give_back


def give_back_repeat(episode: int) -> Callable[[AlertRepository], None]:
    """Release the repeat of an uncertain opening post, so a later cycle posts it."""

    def give_back(repo: AlertRepository) -> None:
        repo.release_repeat(episode)

    return give_back
