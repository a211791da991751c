"""This app's API endpoints; mounted by cooperation/api/urls.py."""

from django.urls import path

from .views import AnnualSummaryView

urlpatterns = [path("reports/annual-summary", AnnualSummaryView.as_view(), name="annual-summary")]
