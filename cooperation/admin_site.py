"""The administration site: the agency's titles and a login that asks for the second factor."""

from django.contrib import admin
from django.db.models import ManyToManyField
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .login import TwoFactorAdminAuthenticationForm, second_factor_satisfied


class CooperationAdminSite(admin.AdminSite):
    site_header = _("International Police Cooperation")
    site_title = _("International Police Cooperation")
    index_title = _("Records")
    login_form = TwoFactorAdminAuthenticationForm
    login_template = "admin/two_factor_login.html"
    # Models of third-party apps whose names do not go through gettext: (app label,
    # object name) → the name the index and the sidebar show.
    model_names = {("otp_totp", "TOTPDevice"): _("Authenticator devices")}

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                model["name"] = self.model_names.get((app["app_label"], model["object_name"]), model["name"])
        return app_list

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


class ChoiceLabelsHistoryHelper(HistoricalRecordContextHelper):
    """A field with choices shows its changes by their labels (“Draft → Submitted”), not codes."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(field, ManyToManyField):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class LabelledHistoryAdmin(SimpleHistoryAdmin):
    def get_historical_record_context_helper(self, request, historical_record):
        return ChoiceLabelsHistoryHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            # The history page prints a change without a reason as the word "None".
            if record.history_change_reason is None:
                record.history_change_reason = ""
