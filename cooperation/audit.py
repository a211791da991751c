"""Append-only records of what left the database: exports of personal data and purges.

Staff may take personal data out (an admin export) and destroy records for good (the
`purge_archived` command); both are legitimate and both must leave a trace nobody can
edit afterwards, so each writes a row here first, in the same transaction, and the
tables refuse UPDATE and DELETE at the database level.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .admin_site import ReadOnlyAdmin
from .crypto import DigestField
from .network import client_address
from .privacy import can_see_personal_data, personal_fields_of
from .spreadsheets import csv_text


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit records are append-only."), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit records are append-only."), code="append_only")


class PersonalDataExport(AppendOnly):
    """Who took which personal fields of how many records, when, from where."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("audit", "by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(pgettext_lazy("audit", "at"), default=timezone.now, db_index=True)
    model = models.CharField(_("records of"), max_length=100)
    record_count = models.PositiveIntegerField(_("records"))
    # Not `personal_fields`: that name declares a model's personal data (cooperation.privacy).
    exported_fields = models.JSONField(pgettext_lazy("audit", "fields"), default=list)
    personal_columns = models.JSONField(_("personal fields among them"), default=list)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    channel = models.CharField(_("how"), max_length=100)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")

    def __str__(self) -> str:
        return f"{self.model} × {self.record_count} ({self.at:%Y-%m-%d %H:%M})"


class PurgeRecord(AppendOnly):
    """A record deleted for good: written before the delete, in the same transaction."""

    actor = models.CharField(pgettext_lazy("audit", "by"), max_length=150)
    at = models.DateTimeField(pgettext_lazy("audit", "at"), default=timezone.now, db_index=True)
    model = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    description = models.CharField(_("record"), max_length=300)
    archived_at = models.DateTimeField(_("archived at"), null=True)
    archived_by = models.CharField(_("archived by"), max_length=150, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("purged record")
        verbose_name_plural = _("purged records")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="purge_record_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.model} #{self.object_id}"


def export_fields(model) -> list[models.Field]:
    # A digest only serves search; the export carries the value itself.
    return [field for field in model._meta.concrete_fields if not isinstance(field, DigestField)]


def personal_data_csv(request, queryset, *, channel: str) -> HttpResponse:
    """A CSV of every column of the records, personal ones included, audited first."""
    if not can_see_personal_data(request.user):
        raise PermissionDenied
    model = queryset.model
    fields = export_fields(model)
    names = [field.name for field in fields]
    with transaction.atomic():
        records = list(queryset.order_by("pk"))
        PersonalDataExport.objects.create(
            actor=request.user,
            model=model._meta.label,
            record_count=len(records),
            exported_fields=names,
            personal_columns=sorted(personal_fields_of(model) & set(names)),
            address=client_address(request),
            channel=channel,
        )
    rows = [[getattr(record, field.attname) for field in fields] for record in records]
    response = HttpResponse(csv_text([names, *rows], bom=False), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{model._meta.model_name}-personal-{stamp}.csv"'
    return response


@admin.action(description=_("Export selected with personal data (CSV)"), permissions=["personal_data"])
def export_personal_data(modeladmin, request, queryset):
    return personal_data_csv(request, queryset, channel="admin action")


class PersonalExportAdminMixin:
    """Offers `export_personal_data` (list it in `actions`) only to whoever may see personal data."""

    def has_personal_data_permission(self, request) -> bool:
        return can_see_personal_data(request.user)


class ReadOnlyAuditAdmin(ReadOnlyAdmin):
    """Staff read audit rows; nobody adds, edits or deletes them here."""

    def has_view_permission(self, request, obj=None):
        return can_see_personal_data(request.user)

    def has_module_permission(self, request):
        return can_see_personal_data(request.user)


class PersonalDataExportAdmin(ReadOnlyAuditAdmin):
    list_display = ("at", "actor", "model", "record_count", "channel", "address")
    list_filter = ("model", "channel")
    search_fields = ("actor__username", "model", "address")
    date_hierarchy = "at"


class PurgeRecordAdmin(ReadOnlyAuditAdmin):
    list_display = ("at", "actor", "model", "object_id", "description", "reason")
    list_filter = ("model",)
    search_fields = ("actor", "model", "object_id", "description", "reason")
    date_hierarchy = "at"


def register_admin(site) -> None:
    site.register(PersonalDataExport, PersonalDataExportAdmin)
    site.register(PurgeRecord, PurgeRecordAdmin)
