from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cooperation.admin import RestrictedAdmin
from cooperation.archive import ArchivingAdminMixin, restore_selected
from cooperation.audit import PersonalExportAdminMixin, export_personal_data
from cooperation.crypto import DigestSearchAdminMixin

from . import services
from .models import Course, CourseVisit, Delegation, Enrollment, EnrollmentStatus, EnrollmentStatusChange, Trainee
from .selectors import courses_with_seat_counts


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


class CourseVisitInline(admin.TabularInline):
    model = CourseVisit
    extra = 0
    fields = ("date", "kind", "place", "organization")
    autocomplete_fields = ("organization",)


class EnrollmentInline(admin.TabularInline):
    """Enrollments are read here; they move through the enrollment actions, never by hand."""

    model = Enrollment
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("trainee", "nominated_by", "status", "waitlist_position", "certificate_number")
    readonly_fields = fields
    ordering = ("status", "waitlist_position", "pk")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trainee", "nominated_by")


@admin.register(Course)
class CourseAdmin(RestrictedAdmin):
    list_display = (
        "code",
        "title",
        "kind",
        "start_date",
        "end_date",
        "capacity",
        "seats_taken",
        "waitlisted",
        "nomination_deadline",
        "status",
    )
    list_filter = ("status", "kind", "host", "start_date")
    search_fields = ("code", "title", "title_ja")
    date_hierarchy = "start_date"
    autocomplete_fields = ("host", "program", "project")
    filter_horizontal = ("fields",)
    list_select_related = ("host",)
    inlines = (CourseVisitInline, EnrollmentInline)

    def get_queryset(self, request):
        return courses_with_seat_counts(super().get_queryset(request))

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, obj):
        return obj.seats_taken

    @admin.display(description=_("waitlisted"), ordering="waitlisted")
    def waitlisted(self, obj):
        return obj.waitlisted

    def save_model(self, request, obj, form, change):
        services.course_save(course=obj, actor=request.user)


class StatusChangeInline(admin.TabularInline):
    model = EnrollmentStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _transition_action(target: str, label):
    def move(modeladmin, request, queryset):
        moved = 0
        for enrollment in queryset.select_related("trainee", "course"):
            try:
                result = services.enrollment_transition(enrollment=enrollment, to=target, actor=request.user)
            except ValidationError as exc:
                modeladmin.message_user(request, f"{enrollment}: {_messages_of(exc)}", messages.ERROR)
                continue
            if result.status != target:
                modeladmin.message_user(
                    request,
                    _("%(enrollment)s: the course is full; waitlisted at position %(position)d.")
                    % {"enrollment": enrollment, "position": result.waitlist_position},
                    messages.WARNING,
                )
            else:
                moved += 1
        if moved:
            modeladmin.message_user(
                request, _("%(count)d enrollments moved to “%(status)s”.") % {"count": moved, "status": label}
            )

    move.__name__ = f"mark_{target}"
    return admin.action(description=_("Mark selected as %(status)s") % {"status": label})(move)


class EnrollmentAdminForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ("course", "trainee", "nominated_by", "action_plan", "evaluation")

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        if self.instance.pk is None and course is not None:
            refusal = services.nomination_refusal(course)
            if refusal is not None:
                self.add_error(None, refusal.message_dict["course"])
        return cleaned


@admin.register(Enrollment)
class EnrollmentAdmin(RestrictedAdmin):
    form = EnrollmentAdminForm
    list_display = (
        "trainee",
        "course",
        "nominated_by",
        "status",
        "waitlist_position",
        "certificate_number",
        "certificate_link",
    )
    list_filter = ("status", "course", "nominated_by")
    search_fields = (
        "trainee__family_name",
        "trainee__given_name",
        "trainee__name_ja",
        "course__code",
        "course__title",
        "certificate_number",
    )
    list_select_related = ("trainee", "course", "nominated_by")
    autocomplete_fields = ("course", "trainee", "nominated_by")
    readonly_fields = ("status", "waitlist_position", "certificate_number", "certificate_issued_on")
    inlines = (StatusChangeInline,)
    actions = [
        _transition_action(EnrollmentStatus.ACCEPTED, _("accepted")),
        _transition_action(EnrollmentStatus.WAITLISTED, _("waitlisted")),
        _transition_action(EnrollmentStatus.ARRIVED, _("arrived")),
        _transition_action(EnrollmentStatus.COMPLETED, _("completed")),
        _transition_action(EnrollmentStatus.REJECTED, _("rejected")),
        _transition_action(EnrollmentStatus.WITHDRAWN, _("withdrawn")),
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("course", "trainee", "nominated_by") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    @admin.display(description=_("certificate"))
    def certificate_link(self, obj):
        if obj.status != EnrollmentStatus.COMPLETED:
            return "–"
        return format_html(
            '<a href="{}" target="_blank">{}</a>', reverse("trainees:certificate", args=[obj.pk]), _("print")
        )

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.enrollment_record_outcome(
                enrollment=obj, actor=request.user, action_plan=obj.action_plan, evaluation=obj.evaluation
            )
        else:
            saved = services.enrollment_nominate(
                course=obj.course, trainee=obj.trainee, nominated_by=obj.nominated_by, actor=request.user
            )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # Withdraw instead: an enrollment's history stays.
        return False


class TraineeEnrollmentInline(EnrollmentInline):
    fk_name = "trainee"
    fields = ("course", "nominated_by", "status", "certificate_number")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course")


@admin.register(Trainee)
class TraineeAdmin(ArchivingAdminMixin, PersonalExportAdminMixin, DigestSearchAdminMixin, RestrictedAdmin):
    list_display = ("__str__", "name_ja", "nationality", "gender", "organization", "course_count")
    list_filter = ("gender", "nationality", "enrollments__course")
    # Staff find a person across every course they attended, by name, passport,
    # email or the code of any of their courses. The passport column is encrypted, so
    # only a whole number matches (through its digest).
    digest_search_fields = ("passport_number",)
    actions = (export_personal_data, restore_selected)
    search_fields = (
        "family_name",
        "given_name",
        "name_ja",
        "email",
        "enrollments__course__code",
        "enrollments__course__title",
    )
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)
    inlines = (TraineeEnrollmentInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_count=Count("enrollments", distinct=True))

    @admin.display(description=_("courses"), ordering="course_count")
    def course_count(self, obj):
        return obj.course_count

    def save_model(self, request, obj, form, change):
        services.trainee_save(trainee=obj, actor=request.user)


@admin.register(Delegation)
class DelegationAdmin(RestrictedAdmin):
    list_display = ("start_date", "end_date", "title", "country", "organization", "visitors")
    list_filter = ("country",)
    search_fields = ("title", "purpose", "organization__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)

    def save_model(self, request, obj, form, change):
        services.delegation_save(delegation=obj, actor=request.user)


@admin.register(CourseVisit)
class CourseVisitAdmin(RestrictedAdmin):
    list_display = ("date", "course", "kind", "place", "organization")
    list_filter = ("kind",)
    search_fields = ("place", "course__code", "course__title")
    autocomplete_fields = ("course", "organization")
    list_select_related = ("course", "organization")
