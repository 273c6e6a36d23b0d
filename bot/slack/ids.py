"""Every Slack identifier the app listens to; manifest.yml must list the commands and events."""

SLASH_COMMANDS = ("/slo", "/incident", "/postmortem", "/actions")
EVENTS = ("app_home_opened",)

SLO_COMMAND = "/slo"
INCIDENT_COMMAND = "/incident"
POSTMORTEM_COMMAND = "/postmortem"
ACTIONS_COMMAND = "/actions"
APP_HOME_OPENED = "app_home_opened"

ACKNOWLEDGE = "alert_acknowledge"
SILENCE_HOURS = {"alert_silence_1h": 1, "alert_silence_4h": 4, "alert_silence_24h": 24}
DECLARE_FROM_ALERT = "alert_declare_incident"
RESOLVE_INCIDENT = "incident_resolve"
RECLASSIFY_INCIDENT = "incident_reclassify"
MARK_INCIDENT = {"incident_acknowledge": "acknowledged", "incident_mitigated": "mitigated"}
# Every button in templates/ (a test checks it).
ACTION_IDS: tuple[str, ...] = (
    ACKNOWLEDGE,
    *SILENCE_HOURS,
    DECLARE_FROM_ALERT,
    RESOLVE_INCIDENT,
    RECLASSIFY_INCIDENT,
    *MARK_INCIDENT,
    "incident_postmortem",
    "postmortem_add_action",
    "action_done",
    "action_snooze",
    "action_reassign",
    "exclusion_cancel",
)
START_POSTMORTEM, ADD_ACTION = "incident_postmortem", "postmortem_add_action"
ACTION_DONE, ACTION_SNOOZE, ACTION_REASSIGN = "action_done", "action_snooze", "action_reassign"

DECLARE_VIEW = "incident_declare"  # modal callback IDs
RECLASSIFY_VIEW = "incident_reclassify"
POSTMORTEM_VIEW = "postmortem_write"
REASSIGN_VIEW = "action_reassign"
EXCLUDE_VIEW = "exclusion_add"
CANCEL_EXCLUSION = "exclusion_cancel"
