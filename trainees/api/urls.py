"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

from django.urls import URLPattern, URLResolver

from .views import CourseViewSet, CourseVisitViewSet, DelegationViewSet, EnrollmentViewSet, TraineeViewSet

routes = [
    ("courses", CourseViewSet, "course"),
    ("course-visits", CourseVisitViewSet, "coursevisit"),
    ("trainees", TraineeViewSet, "trainee"),
    ("enrollments", EnrollmentViewSet, "enrollment"),
    ("delegations", DelegationViewSet, "delegation"),
]
urlpatterns: list[URLPattern | URLResolver] = []
