from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    # The annual summary in /api/v1/ (mounted by cooperation/api/urls.py).
    api_urls = "reports.api.urls"
