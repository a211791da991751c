"""The /api/v1/ router.

Each app that offers API endpoints names its module in its AppConfig as `api_urls`. That
module lists its resources as `routes = [(prefix, viewset, basename), …]`, plus plain
`urlpatterns` for endpoints that are not resources; they are all mounted here, in the
order of INSTALLED_APPS, so the core never imports an app above it.
"""

import re
from importlib import import_module

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path
from django.urls.resolvers import RegexPattern
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

# A router's route under a resource: `^deployments/…` (not the list's `^deployments\.json`).
UNDER_RESOURCE = re.compile(r"\^([a-z0-9-]+/)")


def by_resource(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The router's routes under one resolver per resource.

    Django tries a list of patterns one by one, recording each miss: with some two hundred
    API routes in one list, reaching a late resource cost about 0.4 ms a request. Under a
    resolver per resource a request tries the resources, then that resource's few routes.
    Joined, the patterns are the router's own (`^deployments/` + `(?P<pk>[^/.]+)/$`), so
    URLs, names, `reverse()` and the schema are unchanged. The other routes (the API root,
    the lists' format suffixes) follow the resolvers: no path matches both.
    """
    resolvers: list[URLPattern | URLResolver] = []
    others: list[URLPattern | URLResolver] = []
    routes_of: dict[str, list[URLPattern]] = {}
    for pattern in patterns:
        regex = str(pattern.pattern)
        resource = UNDER_RESOURCE.match(regex)
        if resource is None or not isinstance(pattern, URLPattern):
            others.append(pattern)
            continue
        if resource[1] not in routes_of:
            routes_of[resource[1]] = []
            resolvers.append(URLResolver(RegexPattern(f"^{resource[1]}"), routes_of[resource[1]]))
        route = RegexPattern(f"^{regex[resource.end() :]}", name=pattern.name, is_endpoint=True)
        routes_of[resource[1]].append(URLPattern(route, pattern.callback, pattern.default_args, pattern.name))
    return resolvers + others


urlpatterns = [*extra_patterns, path("", include(by_resource(router.urls)))]
