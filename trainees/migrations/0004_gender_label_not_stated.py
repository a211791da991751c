# Trainees and experts share one gender list (cooperation.choices.Gender): the stored
# values are unchanged, "undisclosed" is now labelled "Not stated" as on the roster.

from django.db import migrations, models

# The list as this migration leaves it, written out: live code may change later.
CHOICES = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("undisclosed", "Not stated")]


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0003_trainee_recorded_by_and_duplicate_queue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicaltrainee",
            name="gender",
            field=models.CharField(choices=CHOICES, max_length=16, verbose_name="gender"),
        ),
        migrations.AlterField(
            model_name="trainee",
            name="gender",
            field=models.CharField(choices=CHOICES, max_length=16, verbose_name="gender"),
        ),
    ]
