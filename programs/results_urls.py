"""Results by period on the web, mounted at /results/."""

from django.urls import path

from . import reporting

urlpatterns = [
    path("report/", reporting.report_index, name="results-report"),
    path("report/<int:pk>/", reporting.report_period, name="results-report-period"),
    path("review/", reporting.review_index, name="results-review"),
    path("review/<int:pk>/", reporting.review_value, name="results-review-value"),
    path("evidence/<int:pk>/", reporting.evidence_file, name="results-evidence"),
]
