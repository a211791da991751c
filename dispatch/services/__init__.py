"""Writes with rules: every change to experts, deployments and missions goes through here."""

from .deployments import (
    DEPLOYMENT_TRANSITIONS,
    DISPATCHABLE_EXPERT_STATUSES,
    PARTNER_REQUEST_KINDS,
    STAFF_ONLY_REQUEST_FIELDS,
    STANDARD_CHECKLIST,
    checklist_item_mark,
    deployment_approve,
    deployment_record_completion,
    deployment_request,
    deployment_transition,
    deployment_unmet_conditions,
    deployment_update,
    safety_check_in_record,
)
from .missions import (
    Assembly,
    Skipped,
    disaster_create,
    disaster_update,
    mission_assemble,
    mission_create,
    mission_update,
    reference_missions_load,
)
from .roster import expert_create, expert_update

__all__ = [
    "DEPLOYMENT_TRANSITIONS",
    "DISPATCHABLE_EXPERT_STATUSES",
    "PARTNER_REQUEST_KINDS",
    "STAFF_ONLY_REQUEST_FIELDS",
    "STANDARD_CHECKLIST",
    "Assembly",
    "Skipped",
    "checklist_item_mark",
    "deployment_approve",
    "deployment_record_completion",
    "deployment_request",
    "deployment_transition",
    "deployment_unmet_conditions",
    "deployment_update",
    "disaster_create",
    "disaster_update",
    "expert_create",
    "expert_update",
    "mission_assemble",
    "mission_create",
    "mission_update",
    "reference_missions_load",
    "safety_check_in_record",
]
