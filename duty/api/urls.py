"""This app's API endpoints; mounted by cooperation/api/urls.py."""

from django.urls import path

from .views import PresenceView

# Resources of the router: (prefix, viewset, basename).
routes: list = []

urlpatterns = [
    path("presence/", PresenceView.as_view(), name="presence"),
]
