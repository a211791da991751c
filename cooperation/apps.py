from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation reference data")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .api import schema  # noqa: F401  registers the OpenAPI extensions
        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="cooperation.sync_role_permissions")


class CooperationAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` with the agency's site (titles, two-factor login) as `admin.site`."""

    default = False  # CooperationConfig stays this module's configuration of the app
    default_site = "cooperation.admin_site.CooperationAdminSite"
