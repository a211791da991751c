"""Notifications in the admin: each person's own list (a superuser's: everyone's), and the outbox."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin_site import ReadOnlyAdmin
from .models import Notification, OutboxTask
from .services import notifications_mark_read


class UnreadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return (("1", _("Unread")), ("0", _("Read")))

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The list is a record of what was sent: nobody adds, edits or deletes one by hand."""

    list_display = ("subject", "kind", "level", "created_at", "emailed_at", "read_at", "open_link")
    list_filter = (UnreadFilter, "kind", "level")
    search_fields = ("subject", "body")
    date_hierarchy = "created_at"
    actions = ("mark_read",)
    fields = (
        "recipient",
        "kind",
        "level",
        "subject",
        "body",
        "open_link",
        "cause",
        "created_at",
        "emailed_at",
        "read_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        notifications = super().get_queryset(request).select_related("recipient")
        return notifications if request.user.is_superuser else notifications.filter(recipient=request.user)

    def get_list_display(self, request):
        # Only a superuser sees other people's notifications, so only they need the column.
        return ("recipient", *self.list_display) if request.user.is_superuser else self.list_display

    def get_list_filter(self, request):
        return (*self.list_filter, "recipient") if request.user.is_superuser else self.list_filter

    @admin.display(description=_("open"))
    def open_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.link, _("open")) if obj.link else "–"

    @admin.action(description=_("Mark the selected notifications as read"))
    def mark_read(self, request, queryset):
        count = notifications_mark_read(user=request.user, notifications=queryset)
        self.message_user(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening one's own notification reads it (a superuser opening another's does not).
        notifications_mark_read(
            user=request.user, notifications=Notification.objects.filter(pk=object_id, recipient=request.user)
        )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "task_name", "args", "created_at", "dispatched_at", "completed_at", "attempts", "last_error")
    list_filter = (
        "task_name",
        ("dispatched_at", admin.EmptyFieldListFilter),
        ("completed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("task_name",)
    date_hierarchy = "created_at"
