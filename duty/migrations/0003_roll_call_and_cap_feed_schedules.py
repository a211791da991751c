"""The beat schedules of the roll call reminders (hourly) and the CAP feed poll (every 5 minutes).

Created when missing and never changed after: staff may edit or disable them in the admin.
The poll does nothing while CAP_FEED_URL is empty.
"""

from django.db import migrations

SCHEDULES = (
    (
        "Roll call reminders",
        "duty.tasks.send_roll_call_reminders",
        60,
        "Reminds staff of incidents whose roll call has officials unaccounted for, every ROLL_CALL_REMINDER_HOURS.",
    ),
    (
        "CAP alert feed",
        "duty.tasks.poll_cap_feed",
        5,
        "Opens an incident for each new alert of CAP_FEED_URL (off while the setting is empty).",
    ),
)


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes, description in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("duty", "0002_incidents_and_roll_calls"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
