"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

from django.urls import path

from .iati import IatiActivitiesView
from .views import (
    EventViewSet,
    FundingViewSet,
    IndicatorPeriodViewSet,
    IndicatorViewSet,
    MeasurementViewSet,
    PeriodValueViewSet,
    ProgramViewSet,
    ProjectViewSet,
    SiteViewSet,
)

routes = [
    ("programs", ProgramViewSet, "program"),
    ("projects", ProjectViewSet, "project"),
    ("sites", SiteViewSet, "site"),
    ("fundings", FundingViewSet, "funding"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("measurements", MeasurementViewSet, "measurement"),
    ("indicator-periods", IndicatorPeriodViewSet, "indicatorperiod"),
    ("period-values", PeriodValueViewSet, "periodvalue"),
    ("events", EventViewSet, "event"),
]
urlpatterns = [path("iati/activities.xml", IatiActivitiesView.as_view(), name="iati-activities")]
