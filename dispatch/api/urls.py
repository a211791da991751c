"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

from django.urls import URLPattern, URLResolver

from .views import (
    DeploymentViewSet,
    DisasterEventViewSet,
    ExpertViewSet,
    FigureCheckpointViewSet,
    MissionViewSet,
    OpeningBalanceViewSet,
)

routes = [
    ("experts", ExpertViewSet, "expert"),
    ("deployments", DeploymentViewSet, "deployment"),
    ("missions", MissionViewSet, "mission"),
    ("disasters", DisasterEventViewSet, "disasterevent"),
    ("figure-checkpoints", FigureCheckpointViewSet, "figurecheckpoint"),
    ("opening-balances", OpeningBalanceViewSet, "openingbalance"),
]
urlpatterns: list[URLPattern | URLResolver] = []
