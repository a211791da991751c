"""This app's API endpoints; mounted by cooperation/api/urls.py."""

from django.urls import path

from .views import AnnualSummaryView, FormerAnnualSummaryView

urlpatterns = [
    path("reports/annual-summary/", AnnualSummaryView.as_view(), name="annual-summary"),
    # The address before every path ended in a slash: clients written for it keep working.
    path("reports/annual-summary", FormerAnnualSummaryView.as_view(), name="annual-summary-former"),
]
