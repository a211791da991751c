"""The /api/v1/ router.

Each domain app lists its resources in its own `api/urls.py` as
`routes = [(prefix, viewset, basename), …]`, plus plain `urlpatterns` for endpoints that
are not resources; they are all mounted here.
"""

from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cooperation.reports.views import AnnualSummaryView

from .views import CooperationFieldViewSet, OrganizationViewSet, RegionViewSet

DOMAIN_API_MODULES = ("programs.api.urls", "dispatch.api.urls", "trainees.api.urls")

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("fields", CooperationFieldViewSet, basename="cooperationfield")

extra_patterns = [path("reports/annual-summary", AnnualSummaryView.as_view(), name="annual-summary")]
for module_name in DOMAIN_API_MODULES:
    module = import_module(module_name)
    for prefix, viewset, basename in getattr(module, "routes", ()):
        router.register(prefix, viewset, basename=basename)
    extra_patterns += getattr(module, "urlpatterns", [])

urlpatterns = [*extra_patterns, path("", include(router.urls))]
