"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

from .views import CourseViewSet, CourseVisitViewSet, DelegationViewSet, EnrollmentViewSet, TraineeViewSet

routes = [
    ("courses", CourseViewSet, "course"),
    ("course-visits", CourseVisitViewSet, "coursevisit"),
    ("trainees", TraineeViewSet, "trainee"),
    ("enrollments", EnrollmentViewSet, "enrollment"),
    ("delegations", DelegationViewSet, "delegation"),
]
urlpatterns = []
