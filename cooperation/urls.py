from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import healthz
from .reports.views import DashboardView, DownloadView, PackDownloadView, PackRequestView, PackStatusView
from .views import home

handler404 = "cooperation.api.errors.page_not_found"
handler500 = "cooperation.api.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("cooperation.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("dashboard/download/", DownloadView.as_view(), name="reports-download"),
    path("dashboard/packs/", PackRequestView.as_view(), name="reports-pack-request"),
    path("dashboard/packs/<int:pk>/", PackStatusView.as_view(), name="reports-pack-status"),
    path("dashboard/packs/<int:pk>/download/", PackDownloadView.as_view(), name="reports-pack-download"),
    # The language follows the user's profile, else the language cookie set through
    # /i18n/setlang/, else the browser's Accept-Language.
    path("admin/", admin.site.urls),
    path("trainees/", include("trainees.urls")),
    path("public/", include("programs.public_urls")),
    path("", home, name="home"),
]
