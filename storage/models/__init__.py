"""SQLModel tables. Schema changes need an Alembic revision in storage/migrations/versions.

Importing this package registers every table on `SQLModel.metadata` (Alembic's target in
storage/migrations/env.py). One module per part of the bot: snapshots (budget snapshots,
handled Slack events), alerts, incidents, postmortems (and action items, reminders), gates,
digests, exclusions (added from Slack), policies (policy actions: states, events,
attempts); conventions holds what they all share.
"""

from storage.models.alerts import (
    POST_KINDS,
    SEVERITIES,
    AlertEpisode,
    AlertPost,
    DataWarning,
    SloWatch,
)
from storage.models.conventions import UTCDateTime
from storage.models.digests import DigestRun
from storage.models.exclusions import EXCLUSION_ACTIONS, ExclusionEvent, ExclusionRecord
from storage.models.gates import GATE_DECISIONS, GateDecisionRecord, GateOverrideRecord
from storage.models.incidents import (
    GATES,
    IMPACT_STATES,
    INCIDENT_SEVERITIES,
    IncidentCard,
    IncidentChange,
    IncidentEscalation,
    IncidentRecord,
    IncidentSlo,
)
from storage.models.policies import (
    DELIVERY_STATES,
    PolicyAttempt,
    PolicyEventRecord,
    PolicyState,
)
from storage.models.postmortems import (
    ACTION_KINDS,
    ACTION_STATUSES,
    PRIORITIES,
    REMINDER_KINDS,
    ActionChangeRecord,
    ActionRecord,
    PostmortemRecord,
    ReminderSent,
)
from storage.models.snapshots import DATA_STATES, BudgetSnapshot, HandledEvent

__all__ = [
    "ACTION_KINDS",
    "ACTION_STATUSES",
    "DATA_STATES",
    "DELIVERY_STATES",
    "EXCLUSION_ACTIONS",
    "GATES",
    "GATE_DECISIONS",
    "IMPACT_STATES",
    "INCIDENT_SEVERITIES",
    "POST_KINDS",
    "PRIORITIES",
    "REMINDER_KINDS",
    "SEVERITIES",
    "ActionChangeRecord",
    "ActionRecord",
    "AlertEpisode",
    "AlertPost",
    "BudgetSnapshot",
    "DataWarning",
    "DigestRun",
    "ExclusionEvent",
    "ExclusionRecord",
    "GateDecisionRecord",
    "GateOverrideRecord",
    "HandledEvent",
    "IncidentCard",
    "IncidentChange",
    "IncidentEscalation",
    "IncidentRecord",
    "IncidentSlo",
    "PolicyAttempt",
    "PolicyEventRecord",
    "PolicyState",
    "PostmortemRecord",
    "ReminderSent",
    "SloWatch",
    "UTCDateTime",
]
