from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs and projects")

    reminder_source = "programs.reminders.due_reminders"

    # Its resources in /api/v1/ (mounted by cooperation/api/urls.py).
    api_urls = "programs.api.urls"

    # Partner coordinators read the portfolio their organization takes part in (rows
    # limited by each model's partner_scope) and report results; nothing else.
    partner_permissions = {
        "programs.program": {"view"},
        "programs.project": {"view"},
        "programs.site": {"view"},
        "programs.funding": {"view"},
        "programs.indicator": {"view"},
        "programs.measurement": {"view", "add"},
        "programs.indicatorperiod": {"view"},
        "programs.disaggregation": {"view"},
        "programs.disaggregationcategory": {"view"},
        "programs.periodtargetbreakdown": {"view"},
        "programs.periodvalue": {"view", "add"},
        "programs.periodvaluebreakdown": {"view"},
        "programs.periodvalueevidence": {"view"},
        "programs.event": {"view"},
    }
