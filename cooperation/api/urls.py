"""The /api/v1/ router. Each app registers its resources in its own api/urls.py."""

from rest_framework.routers import DefaultRouter

from .views import CooperationFieldViewSet, OrganizationViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("fields", CooperationFieldViewSet, basename="cooperationfield")

urlpatterns = router.urls
