from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = _("Duty of care")

    # Duty of care in /api/v1/ (mounted by cooperation/api/urls.py).
    api_urls = "duty.api.urls"
