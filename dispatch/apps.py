from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Experts and deployments")

    # Its resources in /api/v1/ (mounted by cooperation/api/urls.py), and the causes the
    # daily reminder run notifies staff of (cooperation/notifications/services.py).
    api_urls = "dispatch.api.urls"
    reminder_source = "dispatch.reminders.due_reminders"

    # Partner coordinators read the deployments on their organization's projects (and
    # secondments to it), file new requests, and read the experts of those deployments
    # without personal data. Nominating, preparing, check-ins and the roster are staff work.
    partner_permissions = {
        "dispatch.deployment": {"view", "add"},
        "dispatch.expert": {"view"},
    }

    def ready(self):
        from .api import fields  # noqa: F401  registers the OpenAPI descriptions of the references
