"""Exclusions in Slack: `/slo exclusions` listed with Cancel, Cancel pressed, the form's add."""

from collections.abc import Callable
from datetime import datetime

from bot.domain.exclusions import Exclusion, ExclusionDraft
from bot.services.exclusions import Exclusions
from bot.services.ports import Message
from bot.slack.forms.exclusions import ExclusionForms
from bot.slack.messages.exclusions import ExclusionMessages


class ExclusionCommands:
    def __init__(
        self,
        service: Exclusions,
        forms: ExclusionForms,
        messages: ExclusionMessages,
        now: Callable[[], datetime],
    ) -> None:
        self.service = service
        self.forms = forms
        self._messages = messages
        self._now = now

    def listing(self, user: str) -> list[Message]:
        """Coming and current exclusions, with Cancel where `user` may cancel."""
        service, at = self.service, self._now()

        def covered(e: Exclusion) -> list[str]:
            return [s.name for s in service.covered(e)]

        def may_cancel(e: Exclusion) -> bool:
            return service.may_change(user, {s.team for s in service.covered(e)})

        return self._messages.listing(service.coming(at), covered, may_cancel, at)

    def cancel(self, exclusion_id: int, user: str) -> Message:
        return self._messages.notice(self.service.cancel(exclusion_id, user))

    def add(self, draft: ExclusionDraft) -> None:
        self.service.add(draft)
