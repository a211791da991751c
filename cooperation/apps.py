from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation reference data")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .api import schema  # noqa: F401  registers the OpenAPI extensions
        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="cooperation.sync_role_permissions")
