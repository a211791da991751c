from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "trainees"
    verbose_name = _("Courses and trainees")

    # Its resources in /api/v1/ (mounted by cooperation/api/urls.py), and the causes the
    # daily reminder run notifies staff of (cooperation/notifications/services.py).
    api_urls = "trainees.api.urls"
    reminder_source = "trainees.reminders.due_reminders"

    # Partner coordinators read the courses open to their nominations and what they
    # nominated (rows limited by each model's partner_scope), nominate and withdraw
    # their own nominees. Trainees are read without personal data; delegations are the
    # agency's own records.
    partner_permissions = {
        "trainees.course": {"view"},
        "trainees.coursevisit": {"view"},
        "trainees.trainee": {"view"},
        "trainees.enrollment": {"view", "add"},
    }
