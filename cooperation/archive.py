"""Soft delete: programs, experts and trainees are archived, never deleted by a click.

An archived record is withdrawn from use: it leaves every list, search, figure, file and
choice (`objects` leaves it out, and `restrict()` is built on `objects`), while a record
that points at it still resolves it (Django follows foreign keys through the base
manager, which keeps every row). Staff find archived records in the admin through the
"archived" filter and restore them there or with `POST …/{id}/restore/`. Deleting for
good is the `purge_archived` command's alone, and it leaves a `PurgeRecord` behind.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_app_model_primary_key_name, get_history_model_for_model

from .access import RestrictedQuerySet
from .crypto import DigestKeepingQuerySet
from .roles import sees_everything


class ArchivableQuerySet(DigestKeepingQuerySet, RestrictedQuerySet):
    """The archivable records hold the encrypted passports: bulk updates keep their digests."""


class ActiveManager(models.Manager.from_queryset(ArchivableQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


AllRecordsManager = models.Manager.from_queryset(ArchivableQuerySet)


class Archivable(models.Model):
    """`objects`: records in use; `all_objects`: archived ones too (staff tools only)."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False, db_index=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ActiveManager()
    all_objects = AllRecordsManager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def archived_together(prefix: str) -> models.CheckConstraint:
    """Archived means both when and by whom; restored means neither."""
    return models.CheckConstraint(
        condition=Q(archived_at__isnull=True, archived_by__isnull=True)
        | Q(archived_at__isnull=False, archived_by__isnull=False),
        name=f"{prefix}_archived_with_who_and_when",
        violation_error_code="archived_incomplete",
        violation_error_message=_("An archived record names who archived it and when."),
    )


def may_manage_archive(user) -> bool:
    """Only staff (who may change every record) archive, see archived records and restore them."""
    return bool(user and user.is_authenticated and sees_everything(user, "change"))


def _save_archive_state(record: Archivable, actor) -> None:
    # Only the archive columns change, so rules about the rest of the record (which may
    # have tightened since it was written) do not stand in the way; history records who.
    record._history_user = actor
    record.full_clean(exclude=[f.name for f in record._meta.fields if f.name not in ("archived_at", "archived_by")])
    record.save(update_fields=["archived_at", "archived_by", "updated_at"])


@transaction.atomic
def archive(record: Archivable, *, actor) -> Archivable:
    if record.archived_at is None:
        record.archived_at, record.archived_by = timezone.now(), actor
        _save_archive_state(record, actor)
    return record


@transaction.atomic
def restore(record: Archivable, *, actor) -> Archivable:
    if record.archived_at is None:
        raise ValidationError({"archived_at": _("This record is not archived.")}, code="not_archived")
    record.archived_at, record.archived_by = None, None
    _save_archive_state(record, actor)
    return record


def delete_with_history(record: Archivable) -> int:
    """Deletes the record and what cascades with it, then every history row of them all.

    A purge must not leave the record behind in its change history, where its personal
    data (encrypted) and its last state would outlive it. Raises ProtectedError or
    RestrictedError, deleting nothing, while other records refer to it. Returns the number
    of history rows deleted.
    """
    collector = Collector(using=router.db_for_write(type(record)))
    collector.collect([record])
    # Models with history have delete signals, so they are never among the fast deletes.
    doomed = {model: [obj.pk for obj in objs] for model, objs in collector.data.items()}
    record.delete()
    removed = 0
    for model, pks in doomed.items():
        try:
            history = get_history_model_for_model(model)
        except NotHistoricalModelError:
            continue
        key = get_app_model_primary_key_name(model)
        removed += history.objects.filter(**{f"{key}__in": pks}).delete()[1].get(history._meta.label, 0)
    return removed


# --- admin -------------------------------------------------------------------------------------


class ArchiveStateFilter(admin.SimpleListFilter):
    title = _("archived")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return (("yes", _("Archived")), ("all", _("All")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)


def _each(queryset, change, actor) -> int:
    """Archive or restore record by record, so each gets its history row; returns how many."""
    count = 0
    for record in queryset:
        change(record, actor=actor)
        count += 1
    return count


@admin.action(description=_("Restore selected archived records"), permissions=["archive"])
def restore_selected(modeladmin, request, queryset):
    restored = _each(queryset.filter(archived_at__isnull=False), restore, request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d record restored.", "%(count)d records restored.", restored) % {"count": restored},
        messages.SUCCESS,
    )


def archive_selected(modeladmin, request, queryset):
    if not modeladmin.has_delete_permission(request):
        raise PermissionDenied
    archived = _each(queryset.filter(archived_at__isnull=True), archive, request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d record archived.", "%(count)d records archived.", archived) % {"count": archived},
        messages.SUCCESS,
    )


class ArchivingAdminMixin:
    """Delete (one or selected) archives instead; staff filter and restore archived records."""

    def has_archive_permission(self, request) -> bool:
        return may_manage_archive(request.user)

    def get_queryset(self, request):
        manager = self.model.all_objects if may_manage_archive(request.user) else self.model.objects
        queryset = manager.restrict(request.user, "view")
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [ArchiveStateFilter, *filters] if may_manage_archive(request.user) else filters

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # Archiving is undone in a click, so it needs no confirmation page.
            actions["delete_selected"] = (
                archive_selected,
                "delete_selected",
                _("Archive selected %(verbose_name_plural)s"),
            )
        return actions

    def response_delete(self, request, obj_display, obj_id):
        if IS_POPUP_VAR in request.POST:
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request, _("“%(record)s” was archived; staff can restore it.") % {"record": obj_display}, messages.SUCCESS
        )
        opts = self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name)
        return HttpResponseRedirect(
            add_preserved_filters({"preserved_filters": self.get_preserved_filters(request), "opts": opts}, url)
        )

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "archived_at", "archived_by")

    def get_deleted_objects(self, objs, request):
        # Nothing is deleted, so nothing related is in the way: only the records themselves.
        records = list(objs)
        if not may_manage_archive(request.user):
            raise PermissionDenied
        return [str(record) for record in records], {self.model._meta.verbose_name_plural: len(records)}, set(), []

    def delete_model(self, request, obj):
        archive(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        _each(queryset, archive, request.user)


# --- API ---------------------------------------------------------------------------------------


class ArchivingViewSetMixin:
    """DELETE archives; `POST …/{id}/restore/` (staff) brings an archived record back."""

    def perform_destroy(self, instance):
        archive(instance, actor=self.request.user)

    @extend_schema(
        summary="Restore an archived record (staff only)",
        request=None,
        responses={403: OpenApiResponse(description="Not staff"), 404: OpenApiResponse(description="No such record")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def restore(self, request, *args, **kwargs):
        if not may_manage_archive(request.user):
            raise exceptions.PermissionDenied(code="staff_only")
        model = self.queryset.model
        record = get_object_or_404(model.all_objects.restrict(request.user, "change"), pk=kwargs["pk"])
        restore(record, actor=request.user)
        instance = self._reloaded(record)
        return self._with_etag(Response(self.get_serializer(instance).data), instance)
