"""Filing a postmortem form: store it, post its summary in the incident's card threads,
and tell each owner of an action what they now own."""

from bot.domain.actions import ActionItem, NewAction
from bot.services.ports import Message, Notifier, PostmortemPresenter
from bot.services.postmortems import Postmortems
from storage.unit_of_work import UnitOfWork


class PostmortemFiling:
    def __init__(
        self,
        postmortems: Postmortems,
        uow: UnitOfWork,
        notifier: Notifier,
        messages: PostmortemPresenter,
    ) -> None:
        self._postmortems = postmortems
        self._uow = uow
        self._notifier = notifier
        self._messages = messages

    def add_actions(self, incident_id: int, actions: list[NewAction], user: str) -> None:
        """More actions for an incident: each owner is told of theirs."""
        today = self._postmortems.today()
        for action in actions:
            item = self._postmortems.add(incident_id, action, user)
            if item:
                self._tell(item.owner, self._messages.new_action(item, user, today))

    def write(
        self, incident_id: int, texts: dict[str, str], actions: list[NewAction], user: str
    ) -> None:
        """The postmortem, once per form (a resubmitted form changes nothing)."""
        written = self._postmortems.write(incident_id, texts, actions, user)
        if written is None:
            return
        today = self._postmortems.today()
        summary = self._messages.summary(written.incident, written.postmortem, user, today)
        with self._uow.begin() as store:  # the timeline's line; the summary is its thread post
            store.timings.change(incident_id, written.postmortem.written_at, user, "postmortem", "")
            threads = store.cards.cards(incident_id)
        for channel, ts in threads:  # the team channel's card and where it was declared
            self._notifier.post(channel, summary.text, summary.blocks, ts)
        owned: dict[str, list[ActionItem]] = {}
        for item in written.postmortem.actions:
            owned.setdefault(item.owner, []).append(item)
        for owner in sorted(owned):
            self._tell(owner, self._messages.owned(written.incident, owned[owner], today))

    def _tell(self, user: str, message: Message) -> None:
        self._notifier.post(user, message.text, message.blocks)
