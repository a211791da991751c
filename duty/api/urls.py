"""This app's API endpoints; mounted by cooperation/api/urls.py."""

from django.urls import path

from .incidents import IncidentViewSet
from .views import PresenceView

# Resources of the router: (prefix, viewset, basename).
routes = [
    ("incidents", IncidentViewSet, "incident"),
]

urlpatterns = [
    path("presence/", PresenceView.as_view(), name="presence"),
]
