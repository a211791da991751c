from datetime import timedelta
from typing import ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import fields_for_model
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cooperation.admin import RestrictedAdmin, ServiceWritesAdmin, ServiceWritesInline, StatusHistoryInline
from cooperation.admin_filters import ChoicesDropdownFilter, RelatedDropdownFilter
from cooperation.admin_imports import HistoryImportAdmin
from cooperation.admin_pagination import CappedCountPaginator
from cooperation.archive import ArchivingAdminMixin
from cooperation.archive import restore_selected as restore_archived
from cooperation.audit import PersonalExportAdminMixin, export_personal_data
from cooperation.crypto import DigestSearchAdminMixin
from cooperation.languages import LANGUAGE_CHOICES
from cooperation.privacy import can_see_personal_data

from . import services, surveys
from .imports import CourseHistory, DelegationHistory, TraineeHistory
from .models import (
    RETROSPECTIVE_ENROLLMENT_STATUSES,
    Course,
    CourseVisit,
    Delegation,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    FollowUpSurvey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    Trainee,
    TraineeDuplicate,
)
from .selectors import courses_with_seat_counts


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


class CourseVisitInline(ServiceWritesInline, admin.TabularInline):
    model = CourseVisit
    create_service = staticmethod(services.course_visit_create)
    update_service = staticmethod(services.course_visit_update)
    instance_argument = "course_visit"
    extra = 0
    fields = ("date", "kind", "place", "organization")
    autocomplete_fields = ("organization",)


class EnrollmentInline(admin.TabularInline):
    """Enrollments are read here; they move through the enrollment actions, never by hand."""

    model = Enrollment
    extra = 0
    can_delete = False
    show_change_link = True
    fields: ClassVar[tuple[str, ...]] = ("trainee", "nominated_by", "status", "waitlist_position", "certificate_number")
    readonly_fields = fields
    ordering = ("status", "waitlist_position", "pk")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trainee", "nominated_by")


class CourseAdminForm(forms.ModelForm):
    confirm_participants = forms.IntegerField(
        label=_("confirm participants"),
        required=False,
        min_value=0,
        help_text=_(
            "When cancelling a course that has participants: their number, confirming the cancellation for all of them."
        ),
    )

    class Meta:
        model = Course
        exclude: ClassVar[tuple[str, ...]] = ()
        # Picked by name from the experts' list of languages; the column keeps the code.
        widgets: ClassVar[dict[str, forms.Widget]] = {"language": forms.Select(choices=LANGUAGE_CHOICES)}


class PastParticipationForm(forms.Form):
    """A participation in a course that is over, recorded completed or withdrawn after arrival."""

    status = forms.ChoiceField(
        label=Enrollment._meta.get_field("status").verbose_name,
        choices=[(s, EnrollmentStatus(s).label) for s in RETROSPECTIVE_ENROLLMENT_STATUSES],
    )
    certificate_number = forms.CharField(
        label=Enrollment._meta.get_field("certificate_number").verbose_name, max_length=80, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = fields_for_model(Enrollment, fields=("course", "trainee", "nominated_by", "action_plan", "evaluation"))
        self.fields = {**fields, **self.fields}


@admin.register(Course)
class CourseAdmin(HistoryImportAdmin, ServiceWritesAdmin, RestrictedAdmin):
    row_import = CourseHistory()
    create_service = staticmethod(services.course_create)
    update_service = staticmethod(services.course_update)
    instance_argument = "course"
    form = CourseAdminForm
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
    list_filter = ("status", "kind", ("host", RelatedDropdownFilter), "start_date")
    search_fields = ("code", "title", "title_ja")
    date_hierarchy = "start_date"
    autocomplete_fields = ("host", "program", "project")
    filter_horizontal = ("fields",)
    list_select_related = ("host",)
    inlines = (CourseVisitInline, EnrollmentInline)
    actions = ("add_follow_up_surveys",)

    def get_queryset(self, request):
        return courses_with_seat_counts(super().get_queryset(request))

    @admin.action(description=_("Add the 6- and 12-month follow-up surveys"), permissions=["change"])
    def add_follow_up_surveys(self, request, queryset):
        added = sum(len(surveys.follow_up_surveys_add_defaults(course=c, actor=request.user)) for c in queryset)
        self.message_user(
            request, ngettext("%(count)d survey added.", "%(count)d surveys added.", added) % {"count": added}
        )

    def service_data(self, obj, form) -> dict:
        # The confirmation is no field of the course: the service reads it beside the values.
        return {
            **super().service_data(obj, form),
            "confirm_participants": form.cleaned_data.get("confirm_participants"),
        }

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, obj):
        return obj.seats_taken

    @admin.display(description=_("waitlisted"), ordering="waitlisted")
    def waitlisted(self, obj):
        return obj.waitlisted


class StatusChangeInline(StatusHistoryInline):
    model = EnrollmentStatusChange


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
                request,
                ngettext(
                    "%(count)d enrollment moved to “%(status)s”.", "%(count)d enrollments moved to “%(status)s”.", moved
                )
                % {"count": moved, "status": label},
            )

    move.__name__ = f"mark_{target}"
    # Worded when the page is drawn, in the reader's language (not once, at import).
    return admin.action(description=lazy(_mark_selected_as, str)(label))(move)


def _mark_selected_as(label) -> str:
    return gettext("Mark selected as %(status)s") % {"status": label}


class RecentCourseFilter(admin.SimpleListFilter):
    """A course: the dropdown offers the courses of the past year and those to come (not
    the thirty years of an agency's courses), and any course's id in the address filters."""

    title = _("course")
    parameter_name = "course"
    OFFERED_DAYS = 366

    def lookups(self, request, model_admin):
        since = timezone.localdate() - timedelta(days=self.OFFERED_DAYS)
        offered = Course.objects.restrict(request.user, "view").filter(start_date__gte=since)
        return [(str(course.pk), str(course)) for course in offered.order_by("-start_date", "code")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters
        return self.of_course(queryset, int(value))

    def of_course(self, queryset, course_id: int):
        return queryset.filter(course_id=course_id)


class TraineeCourseFilter(RecentCourseFilter):
    """The trainees who took part in a course (each once, without a join that repeats them)."""

    def of_course(self, queryset, course_id: int):
        return queryset.filter(Exists(Enrollment.objects.filter(trainee=OuterRef("pk"), course_id=course_id)))


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
class EnrollmentAdmin(HistoryImportAdmin, RestrictedAdmin):
    # Participations come in a file of courses with their participants.
    row_import = CourseHistory()
    record_past_form = PastParticipationForm
    record_past_service = staticmethod(services.enrollment_record_past)
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
    list_filter = ("status", RecentCourseFilter, ("nominated_by", RelatedDropdownFilter))
    search_fields = (
        "trainee__family_name",
        "trainee__given_name",
        "trainee__name_ja",
        "course__code",
        "course__title",
        "certificate_number",
    )
    list_select_related = ("trainee", "course", "nominated_by")
    # Newest courses first, read from `enrollment_start_order_idx` a page at a time;
    # the course's own order (its start date, its code) would join and sort a million rows,
    # and so would a click on any other column.
    ordering = ("-course_start", "-course_id", "-id")
    sortable_by = ()
    show_full_result_count = False
    paginator = CappedCountPaginator
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


@admin.action(description=_("Restore selected archived records"), permissions=["archive"])
def restore_selected(modeladmin, request, queryset):
    """Restore archived trainees, except those merged into another record (they stay archived)."""
    merged = list(queryset.filter(archived_at__isnull=False, merged_into__isnull=False))
    for record in merged:
        modeladmin.message_user(
            request,
            _("%(record)s was merged into trainee #%(id)d as the same person; it stays archived.")
            % {"record": record, "id": record.merged_into_id},
            messages.ERROR,
        )
    return restore_archived(modeladmin, request, queryset.filter(merged_into__isnull=True))


@admin.register(Trainee)
class TraineeAdmin(
    HistoryImportAdmin,
    ArchivingAdminMixin,
    PersonalExportAdminMixin,
    DigestSearchAdminMixin,
    ServiceWritesAdmin,
    RestrictedAdmin,
):
    row_import = TraineeHistory()
    create_service = staticmethod(services.trainee_create)
    update_service = staticmethod(services.trainee_update)
    instance_argument = "trainee"
    list_display = ("__str__", "name_ja", "nationality_name", "gender", "organization", "course_count")
    list_filter = ("gender", ("nationality", ChoicesDropdownFilter), TraineeCourseFilter)
    readonly_fields = ("recorded_by", "merged_into")
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
    # The default order (by name) walks `trainee_name_order_idx`; other columns would sort
    # every trainee, and the number of courses would count every enrollment first.
    sortable_by = ()
    show_full_result_count = False
    paginator = CappedCountPaginator
    inlines = (TraineeEnrollmentInline,)

    def get_queryset(self, request):
        # Counted per listed row (a subquery the page's rows evaluate), not grouped over
        # every trainee's enrollments before the page is cut.
        courses = Enrollment.objects.filter(trainee=OuterRef("pk")).order_by().values("trainee").annotate(n=Count("pk"))
        return super().get_queryset(request).annotate(course_count=Coalesce(Subquery(courses.values("n")), 0))

    @admin.display(description=Trainee._meta.get_field("nationality").verbose_name)
    def nationality_name(self, obj):
        # The country's own name: the admin's column for a field with choices would rebuild
        # the list of every country's name for every row.
        return obj.nationality.name

    @admin.display(description=_("courses"))
    def course_count(self, obj):
        return obj.course_count


# --- possible duplicates: the merge queue ---------------------------------------------------


class DuplicateStatusFilter(admin.SimpleListFilter):
    """Open entries unless another status (or all) is chosen."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return (*TraineeDuplicate.Status.choices, (self.ALL, _("All")))

    def value(self):
        return super().value() or TraineeDuplicate.Status.OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class ResolveDuplicateForm(forms.Form):
    keep = forms.TypedChoiceField(label=_("Record to keep"), coerce=int, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(record.pk, f"#{record.pk} {record}") for record in records]


def _older(first: Trainee, second: Trainee) -> Trainee:
    return min((first, second), key=lambda record: (record.created_at, record.pk))


def _record_column(record: Trainee, *, personal: bool) -> dict:
    enrollments = (
        Enrollment.objects.filter(trainee=record).select_related("course", "nominated_by").order_by("course_start")
    )
    return {
        "record": record,
        "url": reverse("admin:trainees_trainee_change", args=[record.pk]),
        "rows": [
            (_("family name"), record.family_name),
            (_("given name"), record.given_name),
            (_("name (Japanese)"), record.name_ja),
            (_("date of birth"), record.date_of_birth if personal else "–"),
            (_("nationality"), record.nationality.name),  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
            (_("gender"), record.get_gender_display()),
            (_("organization"), record.organization or "–"),
            (_("rank"), record.rank),
            (_("position"), record.position),
            (_("recorded by"), record.recorded_by or _("agency staff")),
            (_("created at"), record.created_at),
            (_("archived at"), record.archived_at or "–"),
        ],
        "enrollments": list(enrollments),
    }


@admin.register(TraineeDuplicate)
class TraineeDuplicateAdmin(RestrictedAdmin):
    """Staff decide whether two records are one person: merge them or dismiss the entry.

    Entries are queued by the nominations only; the change page shows the two records
    side by side with the two decisions.
    """

    list_display = ("__str__", "new_record", "existing_record", "queued_at", "status", "resolved_by", "resolved_at")
    list_filter = (DuplicateStatusFilter,)
    list_select_related = (
        "trainee__organization",
        "trainee__recorded_by",
        "existing__organization",
        "existing__recorded_by",
        "resolved_by",
    )
    search_fields = ("trainee__family_name", "trainee__given_name", "existing__family_name", "existing__given_name")
    date_hierarchy = "queued_at"
    actions = ("merge_keeping_older", "dismiss_selected")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def _describe(record: Trainee) -> str:
        organization = record.organization.name if record.organization else "–"
        recorder = record.recorded_by.name if record.recorded_by else _("agency staff")
        return _("#%(id)d %(name)s (%(organization)s; recorded by %(recorder)s)") % {
            "id": record.pk,
            "name": record,
            "organization": organization,
            "recorder": recorder,
        }

    @admin.display(description=_("new record"), ordering="trainee")
    def new_record(self, obj):
        return self._describe(obj.trainee)

    @admin.display(description=_("possibly the same as"), ordering="existing")
    def existing_record(self, obj):
        return self._describe(obj.existing)

    # --- the side-by-side page --------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, entry):
            raise PermissionDenied
        records = (entry.trainee, entry.existing)
        form = ResolveDuplicateForm(
            request.POST if request.method == "POST" else None,
            records=records,
            initial={"keep": (entry.kept or _older(*records)).pk},
        )
        if request.method == "POST":
            if not self.has_change_permission(request, entry):
                raise PermissionDenied
            response = self._resolve(request, entry, form, records)
            if response is not None:
                return response
        personal = can_see_personal_data(request.user)
        columns = [_record_column(record, personal=personal) for record in records]
        comparison = [
            (label, first, second, first != second)
            for (label, first), (_label, second) in zip(columns[0]["rows"], columns[1]["rows"], strict=True)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Possible duplicate: trainee #%(new)d and #%(existing)d")
            % {"new": entry.trainee_id, "existing": entry.existing_id},
            "entry": entry,
            "original": entry,
            "columns": columns,
            "comparison": comparison,
            "form": form,
            "can_resolve": entry.is_open and self.has_change_permission(request, entry),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/trainees/traineeduplicate/compare.html", context)

    def _resolve(self, request, entry, form, records):
        """Merge or dismiss from the page; None to show the page again with the refusal."""
        valid = form.is_valid()
        note = form.cleaned_data.get("note", "")
        if "_merge" in request.POST and not valid:
            return None
        try:
            if "_merge" in request.POST:
                keep = next(record for record in records if record.pk == form.cleaned_data["keep"])
                kept = services.trainee_duplicate_merge(duplicate=entry, actor=request.user, keep=keep, note=note)
                other = next(record for record in records if record.pk != kept.pk)
                self.message_user(
                    request,
                    _("Merged: trainee #%(kept)d kept with the enrollments of both; #%(other)d archived.")
                    % {"kept": kept.pk, "other": other.pk},
                    messages.SUCCESS,
                )
            elif "_dismiss" in request.POST:
                services.trainee_duplicate_dismiss(duplicate=entry, actor=request.user, note=note)
                self.message_user(request, _("Dismissed: the two records stay separate."), messages.SUCCESS)
            else:
                return None
        except ValidationError as exc:
            self.message_user(request, _messages_of(exc), messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:trainees_traineeduplicate_changelist"))

    # --- actions on the list ----------------------------------------------------------------

    def _each(self, request, queryset, resolve, done_message):
        done = 0
        for entry in queryset.select_related("trainee", "existing"):
            try:
                resolve(entry)
            except ValidationError as exc:
                self.message_user(request, f"{entry}: {_messages_of(exc)}", messages.ERROR)
                continue
            done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Merge selected, keeping the older record"), permissions=["change"])
    def merge_keeping_older(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda entry: services.trainee_duplicate_merge(duplicate=entry, actor=request.user),
            lambda count: ngettext("%(count)d pair merged.", "%(count)d pairs merged.", count) % {"count": count},
        )

    @admin.action(description=_("Dismiss selected: not the same person"), permissions=["change"])
    def dismiss_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda entry: services.trainee_duplicate_dismiss(duplicate=entry, actor=request.user),
            lambda count: (
                ngettext("%(count)d entry dismissed.", "%(count)d entries dismissed.", count) % {"count": count}
            ),
        )


class PastDelegationForm(forms.ModelForm):
    """A delegation received in the past (recorded held)."""

    class Meta:
        model = Delegation
        fields = (
            "title",
            "start_date",
            "end_date",
            "country",
            "organization",
            "visitors",
            "facilities_visited",
            "purpose",
        )


@admin.register(Delegation)
class DelegationAdmin(HistoryImportAdmin, ServiceWritesAdmin, RestrictedAdmin):
    row_import = DelegationHistory()
    record_past_form = PastDelegationForm
    record_past_service = staticmethod(services.delegation_record_past)
    create_service = staticmethod(services.delegation_create)
    update_service = staticmethod(services.delegation_update)
    instance_argument = "delegation"
    list_display = ("start_date", "end_date", "title", "status", "country", "organization", "visitors")
    list_filter = ("status", ("country", ChoicesDropdownFilter))
    search_fields = ("title", "purpose", "organization__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)


@admin.register(CourseVisit)
class CourseVisitAdmin(ServiceWritesAdmin, RestrictedAdmin):
    create_service = staticmethod(services.course_visit_create)
    update_service = staticmethod(services.course_visit_update)
    instance_argument = "course_visit"
    list_display = ("date", "course", "kind", "place", "organization")
    list_filter = ("kind",)
    search_fields = ("place", "course__code", "course__title")
    autocomplete_fields = ("course", "organization")
    list_select_related = ("course", "organization")


# --- follow-up surveys ----------------------------------------------------------------------


class SurveyQuestionInline(ServiceWritesInline, admin.TabularInline):
    model = SurveyQuestion
    create_service = staticmethod(surveys.survey_question_create)
    update_service = staticmethod(surveys.survey_question_update)
    instance_argument = "survey_question"
    extra = 0
    fields = ("position", "text", "text_ja", "kind", "indicator", "feed")
    autocomplete_fields = ("indicator",)


@admin.register(FollowUpSurvey)
class FollowUpSurveyAdmin(ServiceWritesAdmin, RestrictedAdmin):
    create_service = staticmethod(surveys.follow_up_survey_create)
    update_service = staticmethod(surveys.follow_up_survey_update)
    instance_argument = "survey"
    list_display = ("course", "months_after")
    search_fields = ("course__code", "course__title")
    autocomplete_fields = ("course",)
    list_select_related = ("course",)
    inlines = (SurveyQuestionInline,)


class SurveyAnswerInline(admin.TabularInline):
    """Answers are the trainee's own: read here, never changed."""

    model = SurveyAnswer
    extra = 0
    fields = ("question", "choice", "number", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(RestrictedAdmin):
    """Invitations are written by the daily run and answered through their link."""

    list_display = ("survey", "enrollment", "email", "emailed_at", "expires_at", "answered_at")
    list_filter = (("answered_at", admin.EmptyFieldListFilter),)
    search_fields = ("survey__course__code", "email")
    list_select_related = ("survey__course", "enrollment__trainee", "enrollment__course")
    fields = ("survey", "enrollment", "email", "language", "emailed_at", "expires_at", "answered_at")
    readonly_fields = fields
    inlines = (SurveyAnswerInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
