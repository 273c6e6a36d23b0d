"""The policy-action half of the bootstrap (DESIGN 9.5): the events the alerting cycle
records, and their deliveries over HTTP and Slack. Built on first use, once."""

from functools import cached_property
from typing import TYPE_CHECKING

from bot.bootstrap_needs import Needs
from bot.settings import SettingsError

if TYPE_CHECKING:
    from bot.services.policy_deliveries import Deliveries
    from bot.services.policy_events import PolicyEvents


class PolicyParts(Needs):
    def check_policy_secrets(self) -> None:
        """Refuse to start when a webhook's secret_env is not set (the secret is never shown)."""
        missing = sorted(
            {
                f"{p.webhook.secret_env} (policy {p.name})"
                for p in self.catalog.policies
                if p.webhook is not None and not self.settings.secret(p.webhook.secret_env)
            }
        )
        if missing:
            raise SettingsError(
                "policy webhooks need their secrets in the environment; not set: "
                + ", ".join(missing)
            )

    @cached_property
    def policy_events(self) -> "PolicyEvents":
        from bot.services.policy_events import PolicyEvents

        return PolicyEvents(self.catalog, self.uow)

    @cached_property
    def deliveries(self) -> "Deliveries":
        """Policy deliveries: webhooks over urllib (no redirects), Slack through the notifier;
        every outcome counted in `metrics` (budgetbot_policy_deliveries_total)."""
        from bot.services.policy_deliveries import Deliveries
        from bot.slack.messages.policies import PolicyMessages
        from bot.webhooks import UrllibSender

        self.check_policy_secrets()
        counted = self.metrics.policy_deliveries
        return Deliveries(
            self.catalog,
            self.uow,
            UrllibSender(),
            self.notifier,
            PolicyMessages(self.renderer),
            self.settings.secret,
            on_outcome=lambda outcome: counted.labels(outcome).inc(),
        )
