# Experts and trainees share one gender list (cooperation.choices.Gender). The roster
# said "unspecified" where trainees said "undisclosed"; the one list keeps "undisclosed",
# so the roster's stored values move to it, history included.

from django.db import migrations, models
from django.db.models.functions import Now

OLD = "unspecified"
NEW = "undisclosed"
# The list as this migration leaves it, written out: live code may change later.
CHOICES = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("undisclosed", "Not stated")]


def _replace(apps, old: str, new: str) -> None:
    # A changed value is a change for partners who sync with `updated_since`, so the
    # record's time moves too; history rows keep the time they were written.
    apps.get_model("dispatch", "Expert").objects.filter(gender=old).update(gender=new, updated_at=Now())
    apps.get_model("dispatch", "HistoricalExpert").objects.filter(gender=old).update(gender=new)


def forward(apps, schema_editor):
    _replace(apps, OLD, NEW)


def backward(apps, schema_editor):
    # Before this migration the roster never held "undisclosed": every one came from "unspecified".
    _replace(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0003_deployment_planned_start_and_tc_end_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="expert",
            name="gender",
            field=models.CharField(choices=CHOICES, default=NEW, max_length=16, verbose_name="gender"),
        ),
        migrations.AlterField(
            model_name="historicalexpert",
            name="gender",
            field=models.CharField(choices=CHOICES, default=NEW, max_length=16, verbose_name="gender"),
        ),
        migrations.RunPython(forward, backward),
    ]
