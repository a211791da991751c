"""django-celery-beat's admin ("Scheduled tasks") with the words its own code leaves in English.

Its forms' labels, help texts and choices go through gettext, and our catalog translates
them. What it names from an attribute ("Crontab translation", "Human readable",
"Scheduler") or a verbose name it does not mark for translation ("Task Name") is named
here, in subclasses registered in place of its classes: the app itself is not forked.
"""

from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)


class TaskNameFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("task name")


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    list_display = ("name", "enabled", "schedule", "interval", "start_time", "last_run_at", "one_off")
    list_filter = ["enabled", "one_off", ("task", TaskNameFilter), "start_time", "last_run_at"]

    @admin.display(description=_("Schedule"))
    def schedule(self, obj):
        return obj.scheduler

    @admin.display(description=_("Schedule in words"))
    def crontab_translation(self, obj):
        return crontab_in_words(obj.crontab) if obj.crontab else "–"


class PeriodicTaskInline(beat_admin.PeriodicTaskInline):
    fields = ("name", "task_name", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description=_("task name"))
    def task_name(self, obj):
        return obj.task


class ScheduleAdmin(admin.ModelAdmin):
    inlines = [PeriodicTaskInline]


class CrontabScheduleAdmin(ScheduleAdmin, beat_admin.CrontabScheduleAdmin):
    list_display = ("__str__", "in_words")
    fields = ("in_words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("in_words",)

    @admin.display(description=_("Schedule in words"))
    def in_words(self, obj):
        return crontab_in_words(obj) if obj.pk else "–"


class ClockedScheduleAdmin(ScheduleAdmin, beat_admin.ClockedScheduleAdmin):
    pass


def crontab_in_words(crontab: CrontabSchedule) -> str:
    """The schedule described in English; in other languages its expression, as the library
    that words it would leave its day and month names in English."""
    if (translation.get_language() or "en").startswith("en"):
        return crontab.human_readable
    return str(crontab)


for model, model_admin in (
    (PeriodicTask, PeriodicTaskAdmin),
    (CrontabSchedule, CrontabScheduleAdmin),
    (IntervalSchedule, ScheduleAdmin),
    (SolarSchedule, ScheduleAdmin),
    (ClockedSchedule, ClockedScheduleAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
