"""The managers' dashboard, its downloads and the statistics packs, under /dashboard/."""

from django.urls import path

from .views import (
    DashboardView,
    DownloadView,
    PackDownloadView,
    PackRequestView,
    PackStatusView,
    ProgramResultsView,
    WatchListView,
)

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("download/", DownloadView.as_view(), name="reports-download"),
    path("packs/", PackRequestView.as_view(), name="reports-pack-request"),
    path("packs/<int:pk>/", PackStatusView.as_view(), name="reports-pack-status"),
    path("packs/<int:pk>/download/", PackDownloadView.as_view(), name="reports-pack-download"),
    path("results/", ProgramResultsView.as_view(), name="reports-results"),
    path("watch-list/", WatchListView.as_view(), name="reports-watch-list"),
]
