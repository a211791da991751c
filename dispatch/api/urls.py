"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

from django.urls import URLPattern, URLResolver

from .views import DeploymentViewSet, DisasterEventViewSet, ExpertViewSet, MissionViewSet

routes = [
    ("experts", ExpertViewSet, "expert"),
    ("deployments", DeploymentViewSet, "deployment"),
    ("missions", MissionViewSet, "mission"),
    ("disasters", DisasterEventViewSet, "disasterevent"),
]
urlpatterns: list[URLPattern | URLResolver] = []
