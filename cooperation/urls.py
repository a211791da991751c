from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.views.generic import RedirectView

from .api.schema_views import ApiDocsView, SchemaView
from .health import healthz, livez
from .login import TwoFactorAuthenticationForm
from .views import home

handler404 = "cooperation.api.errors.page_not_found"
handler500 = "cooperation.api.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("api/v1/", include("cooperation.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(), name="api-docs"),
    # One password login for the whole site, with the second factor and the lockout: the
    # browsable API's login link lands on it too.
    path("api-auth/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("api-auth/", include("rest_framework.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(form_class=TwoFactorAuthenticationForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", include("reports.urls")),
    path("duty/", include("duty.urls")),
    # The language follows the switch (a session cookie set through /i18n/setlang/), else
    # the user's profile, else the browser's Accept-Language.
    path("admin/", admin.site.urls),
    path("trainees/", include("trainees.urls")),
    path("public/", include("programs.urls")),
    path("results/", include("programs.results_urls")),
    path("", home, name="home"),
]
