"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

from django.urls import URLPattern, URLResolver

from .incidents import IncidentViewSet

routes = [
    ("incidents", IncidentViewSet, "incident"),
]
urlpatterns: list[URLPattern | URLResolver] = []
