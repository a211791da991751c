from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.html import format_html
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .admin_filters import AllValuesDropdownFilter, ChoicesDropdownFilter, RelatedDropdownFilter
from .admin_permissions import TranslatedPermissionsAdmin
from .admin_site import LabelledHistoryAdmin
from .audit import register_admin as register_audit_admin
from .models import ApiToken, CooperationField, Organization, Region, UserProfile
from .privacy import hidden_fields
from .roles import PARTNER_ROLES, ROLE_LABELS, manages_partner_accounts
from .selectors import accounts_managed_by, may_manage_account
from .services import (
    api_token_issue,
    api_token_revoke,
    api_token_update,
    record_delete,
    user_create,
    user_deactivate,
    user_password_reset,
    user_profile_create,
    user_profile_update,
)
from .workflow import StatusChange


class RestrictedAdmin(LabelledHistoryAdmin):
    """Admin lists go through the same `restrict` path as the API, and personal fields
    (the model's `personal_fields`) follow the same policy: absent for whoever may not see
    them, from lists, forms, searches, filters and the change history."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    class Media:
        css: ClassVar[dict[str, tuple[str, ...]]] = {"all": ("cooperation/admin_layout.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def _hidden(self, request) -> frozenset[str]:
        return hidden_fields(self.model, request.user)

    def get_list_display(self, request):
        hidden = self._hidden(request)
        return [name for name in super().get_list_display(request) if name not in hidden]

    def get_search_fields(self, request):
        # Searching by a passport number would tell whether someone holds it.
        hidden = self._hidden(request)
        return [name for name in super().get_search_fields(request) if name.split("__")[0] not in hidden]

    def get_list_filter(self, request):
        hidden = self._hidden(request)
        return [item for item in super().get_list_filter(request) if item not in hidden]

    def get_fieldsets(self, request, obj=None):
        hidden = self._hidden(request)
        fieldsets = super().get_fieldsets(request, obj)
        if not hidden:
            return fieldsets
        kept = []
        for title, options in fieldsets:
            lines = [_without(line, hidden) for line in options.get("fields", ())]
            lines = [line for line in lines if line]
            if lines:
                kept.append((title, {**options, "fields": lines}))
        return kept

    def history_view(self, request, object_id, extra_context=None):
        # The history lists changed values, personal ones included.
        if self._hidden(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._hidden(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def _without(line, hidden):
    """A fieldset line (a name or a tuple of names on one row) without the hidden names."""
    if isinstance(line, (list, tuple)):
        kept = tuple(name for name in line if name not in hidden)
        return kept if len(kept) > 1 else (kept[0] if kept else None)
    return None if line in hidden else line


class RefusedWrite(Exception):
    """A service refused one of the admin's writes; carries the refusal, and the prefix of
    the form it answers (None: the record's own form), back to `changeform_view`."""

    def __init__(self, refusal: ValidationError, prefix: str | None = None):
        super().__init__(refusal)
        self.refusal = refusal
        self.prefix = prefix


REFUSAL_ATTRIBUTE = "_refused_write"


def _add_refusal(form, refusal: ValidationError) -> None:
    """The service's refusal as the form's errors: on the field it names when the form shows
    that field, otherwise above the form."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal.error_list)
        return
    for name, errors in refusal.error_dict.items():
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if shown else None, errors)


def form_values(obj, form) -> dict:
    """The values of the fields `form` shows, as the form set them on `obj` (many-to-many
    lists from the form): what an admin form hands its service."""
    shown = set(form.fields)
    data = {
        field.name: getattr(obj, field.name)
        for field in obj._meta.concrete_fields
        if field.editable and not field.primary_key and field.name in shown
    }
    for field in obj._meta.many_to_many:
        if field.name in shown:
            data[field.name] = form.cleaned_data[field.name]
    return data


class ServiceWrites:
    """The services an admin form saves its records through: `create_service(actor=…,
    **data)`, `update_service(<instance_argument>=obj, actor=…, **data)`, where data are the
    values of the fields the form shows, and `delete_service(<instance_argument>=obj,
    actor=…)`, or `cooperation.services.record_delete` where the app has none. Whoever never
    adds (or changes) a record names no create (or update) service."""

    create_service: ClassVar[Callable[..., Any] | None] = None
    update_service: ClassVar[Callable[..., Any] | None] = None
    delete_service: ClassVar[Callable[..., Any] | None] = None
    instance_argument: ClassVar[str]

    def service_data(self, obj, form) -> dict:
        return form_values(obj, form)

    def named_service(self, name: str) -> Callable[..., Any]:
        service = getattr(type(self), name)
        if service is None:
            raise ImproperlyConfigured(f"{type(self).__name__} names no {name}.")
        return service

    def create_through_service(self, obj, form, actor):
        return self.named_service("create_service")(actor=actor, **self.service_data(obj, form))

    def update_through_service(self, obj, form, actor):
        data = self.service_data(obj, form)
        return self.named_service("update_service")(**{self.instance_argument: obj}, actor=actor, **data)

    def delete_through_service(self, obj, actor) -> None:
        service = type(self).delete_service
        if service is None:
            record_delete(obj, actor=actor)
        else:
            service(**{self.instance_argument: obj}, actor=actor)


class ServiceWritesInline(ServiceWrites):
    """An inline whose rows are added, changed and deleted through the app's services, like
    its admin's record; the data of a new row include the parent record under the inline's
    foreign key."""

    def save_rows(self, request, formset) -> None:
        """Save the formset's rows through the services, in the order `formset.save()` would
        (deletions and changes, then additions), and tell the formset what was saved, as
        `formset.save()` does, for the admin's change message."""
        actor = request.user
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for form in formset.initial_forms:
            row = form.instance
            if row.pk is None:
                continue
            if form in formset.deleted_forms:
                with _refused_as(form.prefix):
                    self.delete_through_service(row, actor)
                formset.deleted_objects.append(row)
            elif form.has_changed():
                with _refused_as(form.prefix):
                    self.update_through_service(row, form, actor)
                formset.changed_objects.append((row, form.changed_data))
        for form in formset.extra_forms:
            if not form.has_changed() or (formset.can_delete and formset._should_delete_form(form)):
                continue
            setattr(form.instance, formset.fk.name, formset.instance)
            with _refused_as(form.prefix):
                formset.new_objects.append(self.create_through_service(form.instance, form, actor))


@contextmanager
def _refused_as(prefix: str | None):
    """A service's refusal, as the refusal of the form with this prefix (None: the record's)."""
    try:
        yield
    except ValidationError as refusal:
        raise RefusedWrite(refusal, prefix) from None


class ServiceWritesRowsAdmin:
    """The rows of its inlines are saved through the services, each inline naming its own
    (ServiceWritesInline); an inline that is not one may only show rows.

    A refusal by a service is a form error on the same page, never a server error: the
    refused save is rolled back, and the page is built again from the same input with the
    refusal added to the errors of the form (the record's or an inline row's) it answers.
    """

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if inline is not None:
            inline.save_rows(request, formset)
            return
        if formset.has_changed():
            raise ImproperlyConfigured(
                f"The rows of {formset.model.__name__} are saved through the services: "
                "make its inline a ServiceWritesInline."
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, REFUSAL_ATTRIBUTE, None)
        if refused is None or refused.prefix is not None:
            return form_class

        class RefusedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                _add_refusal(self, refused.refusal)

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def get_formsets_with_inlines(self, request, obj=None):
        refused = getattr(request, REFUSAL_ATTRIBUTE, None)
        for formset_class, inline in super().get_formsets_with_inlines(request, obj):
            if isinstance(inline, ServiceWritesInline):
                formset_class.service_inline = inline
            if refused is not None and refused.prefix is not None:
                formset_class = _with_refusal(formset_class, refused)
            yield formset_class, inline

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RefusedWrite as refused:
            # Nothing of the refused save remains (the view's transaction rolled back).
            setattr(request, REFUSAL_ATTRIBUTE, refused)
            return super().changeform_view(request, object_id, form_url, extra_context)


class ServiceWritesAdmin(ServiceWritesRowsAdmin, ServiceWrites):
    """Adds, changes and deletes go through the app's services (see ServiceWrites), credited
    to the staff member, as the API's do (see ServiceWritesMixin), and so do its inlines'
    rows (ServiceWritesRowsAdmin)."""

    def save_model(self, request, obj, form, change):
        with _refused_as(None):
            if change:
                self.update_through_service(obj, form, request.user)
            else:
                _take_saved_state(obj, self.create_through_service(obj, form, request.user))

    def delete_model(self, request, obj):
        self.delete_through_service(obj, request.user)

    def delete_queryset(self, request, queryset):
        # One by one, so each deletion passes the service and gets its history row.
        for obj in queryset:
            self.delete_model(request, obj)


def _with_refusal(formset_class, refused: RefusedWrite):
    """The formset class whose row `refused.prefix` shows the refusal: on the row, or above
    the rows when the refused write was the row's deletion (a row being deleted is not
    validated)."""

    class RefusedFormSet(formset_class):
        def full_clean(self):
            super().full_clean()
            for form in self.forms:
                if form.prefix != refused.prefix:
                    continue
                if self.can_delete and self._should_delete_form(form):
                    self._non_form_errors.extend(_every_error(refused.refusal))
                else:
                    _add_refusal(form, refused.refusal)

    RefusedFormSet.__name__ = formset_class.__name__
    return RefusedFormSet


def _every_error(refusal: ValidationError) -> list[ValidationError]:
    """The refusal's errors, whichever field they name."""
    if hasattr(refusal, "error_dict"):
        return [error for errors in refusal.error_dict.values() for error in errors]
    return refusal.error_list


def _take_saved_state(obj, saved) -> None:
    """The admin goes on with the form's own instance (inlines, many-to-many, the log, the
    redirect): give it the row the service created."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(Region)
class RegionAdmin(RestrictedAdmin):
    list_display = ("name", "name_ja", "code", "country_count", "is_unodc_priority")
    list_filter = ("is_unodc_priority",)
    search_fields = ("name", "name_ja", "code")

    @admin.display(description=_("countries"))
    def country_count(self, obj):
        return len(obj.countries)


@admin.register(Organization)
class OrganizationAdmin(RestrictedAdmin):
    list_display = ("name", "name_ja", "acronym", "kind", "country", "parent")
    list_filter = ("kind", ("country", ChoicesDropdownFilter))
    search_fields = ("name", "name_ja", "acronym", "code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(CooperationField)
class CooperationFieldAdmin(RestrictedAdmin):
    list_display = ("name", "name_ja", "code", "dac_code")
    list_filter = (("dac_code", AllValuesDropdownFilter),)
    search_fields = ("name", "name_ja", "code", "dac_code")


@admin.register(ApiToken)
class ApiTokenAdmin(LabelledHistoryAdmin):
    list_display = ("name", "user", "hint", "created_at", "expires_at", "revoked_at", "last_used_at", "active")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "user__username", "hint")
    autocomplete_fields = ("user",)
    readonly_fields = ("hint", "created_at", "revoked_at", "last_used_at")
    actions = ("revoke",)

    @admin.display(boolean=True, description=_("active"))
    def active(self, obj):
        return obj.is_active

    def get_fields(self, request, obj=None):
        return ("user", "name", "expires_at") if obj is None else super().get_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The same accounts the user picker lists (the user admin's own queryset).
        if db_field.name == "user":
            kwargs["queryset"] = accounts_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("user", "name", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            api_token_update(api_token=obj, actor=request.user, **form_values(obj, form))
            return
        token, key = api_token_issue(user=obj.user, name=obj.name, expires_at=obj.expires_at, actor=request.user)
        obj.pk, obj.digest, obj.hint, obj.created_at = token.pk, token.digest, token.hint, token.created_at
        messages.warning(
            request,
            _("The key of token “%(name)s” is %(key)s — copy it now; it is not shown again.")
            % {"name": token.name, "key": key},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked) % {"count": revoked}
        )


class StatusHistoryInline(admin.TabularInline):
    """A record's status history (`cooperation.workflow.StatusChange`), read-only. Who made
    a move links to their account only for a viewer who may open it: staff moves are made
    by staff, whose accounts only a superuser opens."""

    fields = ("changed_at", "moved_from", "moved_to", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def get_formset(self, request, obj=None, **kwargs):
        # An inline is built afresh for every request, so it may keep the viewer.
        self._viewer = request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=StatusChange._meta.get_field("from_status").verbose_name)
    def moved_from(self, change):
        return change.state_label(change.from_status)

    @admin.display(description=StatusChange._meta.get_field("to_status").verbose_name)
    def moved_to(self, change):
        return change.state_label(change.to_status)

    @admin.display(description=StatusChange._meta.get_field("actor").verbose_name)
    def by(self, change):
        actor = change.actor
        if actor is None:
            return "–"
        if not self._may_open(actor):
            return str(actor)
        return format_html('<a href="{}">{}</a>', reverse("admin:auth_user_change", args=[actor.pk]), actor)

    def _may_open(self, actor) -> bool:
        """Asked once per person: a long history is mostly made by the same few."""
        answers = self.__dict__.setdefault("_may_open_answers", {})
        if actor.pk not in answers:
            user_admin = self.admin_site._registry.get(type(actor))
            viewer = getattr(self, "_viewer", None)
            answers[actor.pk] = (
                user_admin is not None and viewer is not None and user_admin.has_view_permission(viewer, actor)
            )
        return answers[actor.pk]


class UserProfileInline(ServiceWritesInline, admin.StackedInline):
    model = UserProfile
    can_delete = False
    autocomplete_fields = ("organization",)
    create_service = user_profile_create
    update_service = user_profile_update
    instance_argument = "profile"


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class CooperationGroupAdmin(TranslatedPermissionsAdmin, GroupAdmin):
    pass


class PartnerAccountCreationForm(forms.ModelForm):
    """What staff give to open a partner account; the password is set by its holder,
    through the one-time link shown after saving."""

    role = forms.ChoiceField(label=_("role"), choices=[(role, ROLE_LABELS[role]) for role in PARTNER_ROLES])
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.all())

    class Meta:
        model = User
        fields = ("username", "email")


@admin.register(User)
class CooperationUserAdmin(ServiceWritesRowsAdmin, TranslatedPermissionsAdmin, UserAdmin):
    """Superusers manage every account. Staff open, reset and close partner accounts
    (coordinators and managers) and see no other: they cannot give an account staff or
    superuser rights, another group or a permission, so opening a staff account, and with
    it a second reviewer, stays with a superuser."""

    inlines = (UserProfileInline,)
    list_display = ("username", "email", "organization", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active", ("profile__organization", RelatedDropdownFilter))
    list_select_related = ("profile__organization",)
    actions = ("issue_password_links", "deactivate")

    partner_add_fieldsets = ((None, {"fields": ("username", "email", "role", "organization")}),)
    partner_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "groups", "api_tokens")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("organization"), ordering="profile__organization__name")
    def organization(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.organization if profile else None

    @admin.display(description=_("API tokens"))
    def api_tokens(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        active = sum(1 for token in obj.api_tokens.all() if token.is_active)
        return format_html(
            '{} · <a href="{}?q={}">{}</a> · <a href="{}?user={}">{}</a>',
            ngettext("%(count)d active", "%(count)d active", active) % {"count": active},
            reverse("admin:cooperation_apitoken_changelist"),
            obj.username,
            _("list"),
            reverse("admin:cooperation_apitoken_add"),
            obj.pk,
            _("Issue a token"),
        )

    # --- who may do what ---------------------------------------------------------------

    def _restricted(self, request) -> bool:
        return not request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._restricted(request):
            queryset = queryset.filter(pk__in=accounts_managed_by(request.user).values("pk"))
        return queryset

    def _manages(self, request, obj) -> bool:
        return manages_partner_accounts(request.user) and (obj is None or may_manage_account(request.user, obj))

    def has_module_permission(self, request):
        return super().has_module_permission(request) or manages_partner_accounts(request.user)

    def has_view_permission(self, request, obj=None):
        if not self._restricted(request):
            return super().has_view_permission(request, obj)
        return self._manages(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) if not self._restricted(request) else self._manages(request, None)

    def has_change_permission(self, request, obj=None):
        if not self._restricted(request):
            return super().has_change_permission(request, obj)
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Staff close an account (deactivate); its records keep their author.
        return super().has_delete_permission(request, obj) if not self._restricted(request) else False

    # --- the forms staff see -----------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if not self._restricted(request):
            return super().get_fieldsets(request, obj)
        return self.partner_add_fieldsets if obj is None else self.partner_fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            readonly = (*readonly, "api_tokens")
            if self._restricted(request):
                readonly = (*readonly, "last_login", "date_joined")
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and self._restricted(request):
            kwargs["form"] = PartnerAccountCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_inline_instances(self, request, obj=None):
        # Staff give the organization on the add form itself.
        if obj is None and self._restricted(request):
            return []
        return super().get_inline_instances(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and self._restricted(request):
            kwargs["queryset"] = Group.objects.filter(name__in=PARTNER_ROLES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- saving ------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change or not self._restricted(request):
            return super().save_model(request, obj, form, change)
        try:
            saved = user_create(
                username=obj.username,
                password=None,
                email=obj.email,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                actor=request.user,
            )
        except ValidationError as refused:
            raise PermissionDenied(" ".join(refused.messages)) from None
        _take_saved_state(obj, saved)
        self._announce_password_link(request, saved)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The forms offer nothing more; this keeps a crafted request from giving more
        # (the admin's transaction undoes the save).
        if self._restricted(request) and not may_manage_account(request.user, form.instance):
            raise PermissionDenied

    def _announce_password_link(self, request, user) -> None:
        token = user_password_reset(user=user, actor=request.user)
        link = request.build_absolute_uri(
            reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), token])
        )
        self.message_user(
            request,
            _("Send %(user)s this one-time link to set a password (shown once; valid for %(days)d days): %(link)s")
            % {"user": user.username, "link": link, "days": settings.PASSWORD_RESET_TIMEOUT // 86400},
            messages.WARNING,
        )

    # --- actions -----------------------------------------------------------------------

    @admin.action(description=_("Reset the password: a one-time link to set a new one"), permissions=["change"])
    def issue_password_links(self, request, queryset):
        for user in queryset.order_by("username"):
            self._announce_password_link(request, user)

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["change"])
    def deactivate(self, request, queryset):
        closed = 0
        for user in queryset.filter(is_active=True):
            user_deactivate(user=user, actor=request.user)
            closed += 1
        message = ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", closed)
        self.message_user(request, message % {"count": closed})


class OwnAuthenticatorAdmin(TOTPDeviceAdmin):
    """Staff register and manage their own authenticators; only superusers see everyone's.

    A device's key is a second password: a colleague who could read it could pass the
    second factor in someone else's name.
    """

    def _is_own(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field != "user"]})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.user = request.user
        super().save_model(request, obj, form, change)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._is_own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._is_own(request, obj)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, OwnAuthenticatorAdmin)

# django-celery-beat's pages, with the words its code leaves in English.
from . import scheduled_tasks_admin  # noqa: E402, F401

# Notifications and the task outbox register their own admin pages.
from .notifications import admin as notifications_admin  # noqa: E402, F401

# Exports of personal data and purges: read-only, for staff.
register_audit_admin(admin.site)
