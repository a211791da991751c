# Actual dates say what happened: a deployment requested, nominated or preparing has not
# left, so it has none (the departure and the return write them). Rows that hold such dates
# keep them in their status history, as a note, before the dates are cleared; the database
# then refuses them. The exclusion constraint still guards the expert's calendar: a cleared
# row whose planned dates would overlap another deployment stops the migration instead of
# being changed silently.

from django.db import migrations, models

NOT_YET_DEPARTED = ("requested", "nominated", "preparing")

KEEP_IN_HISTORY = """
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO dispatch_deploymentstatuschange (deployment_id, from_status, to_status, actor_id, changed_at, note)
SELECT id, status, status, NULL, now(),
       'Actual dates recorded before departure were cleared (actual start: '
       || coalesce(actual_start::text, 'none') || ', actual end: ' || coalesce(actual_end::text, 'none')
       || '); the departure and the return record them.'
  FROM dispatch_deployment
 WHERE status IN ('requested', 'nominated', 'preparing')
   AND (actual_start IS NOT NULL OR actual_end IS NOT NULL);
UPDATE dispatch_deployment
   SET actual_start = NULL, actual_end = NULL, updated_at = now()
 WHERE status IN ('requested', 'nominated', 'preparing')
   AND (actual_start IS NOT NULL OR actual_end IS NOT NULL);
"""

# Undoing has nothing to run (the reverse side must be SQL written here, so: a no-op statement).
NOTHING_TO_UNDO = "SELECT 1"


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0004_expert_gender_undisclosed"),
    ]

    operations = [
        # The cleared dates are in the history notes; going back leaves them there.
        migrations.RunSQL(KEEP_IN_HISTORY, NOTHING_TO_UNDO),
        migrations.AddConstraint(
            model_name="deployment",
            constraint=models.CheckConstraint(
                condition=models.Q(("actual_end__isnull", True), ("actual_start__isnull", True))
                | models.Q(("status__in", NOT_YET_DEPARTED), _negated=True),
                name="deployment_no_actual_dates_before_departure",
                violation_error_code="actual_dates_before_departure",
                violation_error_message="A deployment that has not departed has no actual dates.",
            ),
        ),
    ]
