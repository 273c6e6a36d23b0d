"""The Slack app: bolt listeners, Block Kit rendering from templates/, and posting."""
