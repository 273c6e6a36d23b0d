"""Every Slack identifier the app listens to; manifest.yml must list the commands and events."""

SLASH_COMMANDS = ("/slo",)
EVENTS = ("app_home_opened",)

SLO_COMMAND = "/slo"
APP_HOME_OPENED = "app_home_opened"

ACKNOWLEDGE = "alert_acknowledge"
SILENCE_HOURS = {"alert_silence_1h": 1, "alert_silence_4h": 4, "alert_silence_24h": 24}
ACTION_IDS: tuple[str, ...] = (
    ACKNOWLEDGE,
    *SILENCE_HOURS,
)  # the buttons of templates/alert.json.j2
