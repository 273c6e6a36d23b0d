"""Every Slack identifier the app listens to; manifest.yml must list exactly these."""

SLASH_COMMANDS = ("/slo",)
EVENTS = ("app_home_opened",)
ACTION_IDS: tuple[str, ...] = ()  # interactive components arrive with the alerting buttons

SLO_COMMAND = "/slo"
APP_HOME_OPENED = "app_home_opened"
