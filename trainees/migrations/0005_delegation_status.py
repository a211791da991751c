# Delegations get a status: planned, held or cancelled; only held ones count in the figures.
# A delegation already on record is held once its end date has passed, planned otherwise
# (history rows follow the same rule, so an edit does not read as a status change). Every
# delegation gains the field, so its time moves for partners who sync with `updated_since`.

from django.db import migrations, models

# The list as this migration leaves it, written out: live code may change later.
CHOICES = [("planned", "Planned"), ("held", "Held"), ("cancelled", "Cancelled")]
HELP = "Only held delegations count in the figures."

HELD_WHEN_OVER = """
UPDATE trainees_delegation
   SET status = CASE WHEN end_date < current_date THEN 'held' ELSE 'planned' END,
       updated_at = now();
UPDATE trainees_historicaldelegation
   SET status = CASE WHEN end_date < current_date THEN 'held' ELSE 'planned' END;
"""


def _field() -> models.CharField:
    return models.CharField(choices=CHOICES, default="planned", help_text=HELP, max_length=16, verbose_name="status")

# Undoing has nothing to run (the reverse side must be SQL written here, so: a no-op statement).
NOTHING_TO_UNDO = "SELECT 1"


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0004_gender_label_not_stated"),
    ]

    operations = [
        migrations.AddField(model_name="delegation", name="status", field=_field()),
        migrations.AddField(model_name="historicaldelegation", name="status", field=_field()),
        # Going back drops the column, and the statuses with it.
        migrations.RunSQL(HELD_WHEN_OVER, NOTHING_TO_UNDO),
        migrations.AddConstraint(
            model_name="delegation",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["planned", "held", "cancelled"])),
                name="delegation_status_known",
                violation_error_code="invalid_choice",
                violation_error_message="A delegation is planned, held or cancelled.",
            ),
        ),
    ]
