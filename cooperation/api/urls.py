"""The /api/v1/ router.

Each app that offers API endpoints names its module in its AppConfig as `api_urls`. That
module lists its resources as `routes = [(prefix, viewset, basename), …]`, plus plain
`urlpatterns` for endpoints that are not resources; they are all mounted here, in the
order of INSTALLED_APPS, so the core never imports an app above it.
"""

from importlib import import_module

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from .views import CooperationFieldViewSet, OrganizationViewSet, RegionViewSet


def api_url_modules() -> list[str]:
    """The API modules the installed apps declare, in the order of INSTALLED_APPS."""
    return [
        config.api_urls  # type: ignore[attr-defined]  # declared by the apps that have an API
        for config in apps.get_app_configs()
        if getattr(config, "api_urls", None)
    ]


router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("fields", CooperationFieldViewSet, basename="cooperationfield")

extra_patterns: list[URLPattern | URLResolver] = []
for module_name in api_url_modules():
    module = import_module(module_name)
    for prefix, viewset, basename in getattr(module, "routes", ()):
        router.register(prefix, viewset, basename=basename)
    extra_patterns += getattr(module, "urlpatterns", [])

urlpatterns = [*extra_patterns, path("", include(router.urls))]
