"""Finding and removing synthetic rows, and nothing else."""

from __future__ import annotations

from .base import CODE_PREFIX, ORG_CODE_PREFIX, USERNAME_PREFIX

SYN = CODE_PREFIX + "%"
# Status histories are append-only; their guard (the trigger `<table>_append_only`)
# is lifted only while deleting the history of synthetic rows, inside the same transaction.
APPEND_ONLY = ("trainees_enrollmentstatuschange", "dispatch_deploymentstatuschange")
SYNTHETIC_DEPLOYMENTS = (
    "SELECT id FROM dispatch_deployment WHERE post LIKE 'Synthetic %%'"
    " OR expert_id IN (SELECT id FROM dispatch_expert WHERE personnel_number LIKE %(syn)s)"
    " OR project_id IN (SELECT id FROM programs_project WHERE code LIKE %(syn)s)"
)
SYNTHETIC_ENROLLMENTS = (
    "SELECT id FROM trainees_enrollment WHERE course_id IN (SELECT id FROM trainees_course WHERE code LIKE %(syn)s)"
    " OR trainee_id IN (SELECT id FROM trainees_trainee WHERE family_name = 'Synthetic trainee')"
)
DELETIONS = (
    f"DELETE FROM trainees_enrollmentstatuschange WHERE enrollment_id IN ({SYNTHETIC_ENROLLMENTS})",
    f"DELETE FROM trainees_enrollment WHERE id IN ({SYNTHETIC_ENROLLMENTS})",
    "DELETE FROM trainees_trainee WHERE family_name = 'Synthetic trainee'",
    "DELETE FROM trainees_coursevisit WHERE course_id IN (SELECT id FROM trainees_course WHERE code LIKE %(syn)s)",
    "DELETE FROM trainees_course_fields WHERE course_id IN (SELECT id FROM trainees_course WHERE code LIKE %(syn)s)",
    "DELETE FROM trainees_course WHERE code LIKE %(syn)s",
    "DELETE FROM trainees_delegation WHERE title LIKE 'Synthetic delegation %%'",
    f"DELETE FROM dispatch_deploymentstatuschange WHERE deployment_id IN ({SYNTHETIC_DEPLOYMENTS})",
    f"DELETE FROM dispatch_checklistitem WHERE deployment_id IN ({SYNTHETIC_DEPLOYMENTS})",
    f"DELETE FROM dispatch_safetycheckin WHERE deployment_id IN ({SYNTHETIC_DEPLOYMENTS})",
    f"DELETE FROM dispatch_deployment WHERE id IN ({SYNTHETIC_DEPLOYMENTS})",
    "DELETE FROM dispatch_expertlanguage WHERE expert_id IN"
    " (SELECT id FROM dispatch_expert WHERE personnel_number LIKE %(syn)s)",
    "DELETE FROM dispatch_expert_specialties WHERE expert_id IN"
    " (SELECT id FROM dispatch_expert WHERE personnel_number LIKE %(syn)s)",
    "DELETE FROM dispatch_expert WHERE personnel_number LIKE %(syn)s",
    "DELETE FROM dispatch_mission WHERE name LIKE 'Synthetic mission %%'",
    "DELETE FROM dispatch_disasterevent WHERE name LIKE 'Synthetic disaster %%'",
    "DELETE FROM programs_event_fields WHERE event_id IN"
    " (SELECT id FROM programs_event WHERE name LIKE 'Synthetic event %%')",
    "DELETE FROM programs_event_organizers WHERE event_id IN"
    " (SELECT id FROM programs_event WHERE name LIKE 'Synthetic event %%')",
    "DELETE FROM programs_event WHERE name LIKE 'Synthetic event %%'",
    "DELETE FROM programs_measurement WHERE indicator_id IN (SELECT id FROM programs_indicator WHERE project_id IN"
    " (SELECT id FROM programs_project WHERE code LIKE %(syn)s))",
    "DELETE FROM programs_indicator WHERE project_id IN (SELECT id FROM programs_project WHERE code LIKE %(syn)s)",
    "DELETE FROM programs_site_projects WHERE site_id IN"
    " (SELECT id FROM programs_site WHERE name LIKE 'Synthetic site %%')",
    "DELETE FROM programs_site WHERE name LIKE 'Synthetic site %%'",
    "DELETE FROM programs_funding WHERE program_id IN (SELECT id FROM programs_program WHERE code LIKE %(syn)s)",
    "DELETE FROM programs_project_fields WHERE project_id IN (SELECT id FROM programs_project WHERE code LIKE %(syn)s)",
    "DELETE FROM programs_project WHERE code LIKE %(syn)s",
    "DELETE FROM programs_programpartner WHERE program_id IN (SELECT id FROM programs_program WHERE code LIKE %(syn)s)",
    "DELETE FROM programs_program_fields WHERE program_id IN (SELECT id FROM programs_program WHERE code LIKE %(syn)s)",
    "DELETE FROM programs_program_priority_regions WHERE program_id IN"
    " (SELECT id FROM programs_program WHERE code LIKE %(syn)s)",
    "DELETE FROM programs_program WHERE code LIKE %(syn)s",
    "DELETE FROM cooperation_organization WHERE code LIKE %(org)s",
    "DELETE FROM auth_user WHERE username LIKE %(user)s",
)
PARAMS = {"syn": SYN, "org": ORG_CODE_PREFIX + "%", "user": USERNAME_PREFIX + "%"}


def has_synthetic_data(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM programs_program WHERE code LIKE %(syn)s)"
        " OR EXISTS (SELECT 1 FROM dispatch_expert WHERE personnel_number LIKE %(syn)s)"
        " OR EXISTS (SELECT 1 FROM trainees_course WHERE code LIKE %(syn)s)"
        " OR EXISTS (SELECT 1 FROM auth_user WHERE username LIKE %(user)s)",
        PARAMS,
    )
    return cursor.fetchone()[0]


def delete_synthetic(cursor) -> None:
    for table in APPEND_ONLY:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    for statement in DELETIONS:
        cursor.execute(statement, PARAMS)
    for table in APPEND_ONLY:
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
