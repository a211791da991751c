"""The administration site: the agency's titles and a login that asks for the second factor."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .login import TwoFactorAdminAuthenticationForm, second_factor_satisfied


class CooperationAdminSite(admin.AdminSite):
    site_header = _("International Police Cooperation")
    site_title = _("International Police Cooperation")
    index_title = _("Records")
    login_form = TwoFactorAdminAuthenticationForm
    login_template = "admin/two_factor_login.html"

    def has_permission(self, request):
        # A session opened before an authenticator was registered, or before two-factor
        # became mandatory, must log in again with a code before it reaches the records.
        if not super().has_permission(request):
            return False
        if not hasattr(request, "second_factor_satisfied"):  # asked several times per page
            request.second_factor_satisfied = second_factor_satisfied(request.user)
        return request.second_factor_satisfied


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are a record of what happened: read here, never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
