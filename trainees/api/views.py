"""The trainees resources: courses, course visits, trainees, enrollments, delegations."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from cooperation.access import organization_of
from cooperation.api.permissions import StaffOnly
from cooperation.api.row_imports import HistoryImportMixin, file_refused, rows_refused
from cooperation.api.rows import listed
from cooperation.api.schema import ErrorSerializer
from cooperation.api.viewsets import CooperationViewSet, ServiceWritesMixin
from cooperation.archive import ArchivingViewSetMixin
from cooperation.models import Organization
from cooperation.privacy import can_see_personal_data
from cooperation.roles import sees_everything
from cooperation.rowfiles import FileError, RowsInvalid

from .. import services
from ..filters import CourseFilter, CourseVisitFilter, DelegationFilter, EnrollmentFilter, TraineeFilter
from ..imports import CourseHistory, DelegationHistory, TraineeHistory
from ..models import PERSON_FIELDS, Course, CourseVisit, Delegation, Enrollment, EnrollmentStatusChange, Trainee
from ..nominations import nominations_import, read_rows
from ..selectors import courses_with_seat_counts
from .serializers import (
    CourseSerializer,
    CourseVisitSerializer,
    DelegationSerializer,
    EnrollmentSerializer,
    EnrollmentTransitionSerializer,
    EnrollmentWithdrawSerializer,
    NominationErrorSerializer,
    NominationResultSerializer,
    NominationUploadSerializer,
    PastDelegationSerializer,
    PastEnrollmentSerializer,
    TraineeSerializer,
)


class CanNominate(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("trainees.add_enrollment"))


def _staff_only(user) -> None:
    if not sees_everything(user, "change"):
        raise exceptions.PermissionDenied(_("Only agency staff may do this."), code="staff_only")


OPEN_COURSE_EXAMPLE = {
    "id": 7,
    "url": "https://cooperation.example/api/v1/courses/7/",
    "display": "CP-2026-03 Community policing (Koban) for Asian police",
    "code": "CP-2026-03",
    "title": "Community policing (Koban) for Asian police",
    "title_ja": "アジア地域地域警察(交番)研修",
    "kind": "jica_group_region",
    "host": {"id": 1, "code": "npa", "display": "National Police Agency"},
    "program": None,
    "project": None,
    "fields": [{"id": 3, "code": "community-policing", "display": "Community policing"}],
    "start_date": "2026-11-09",
    "end_date": "2026-12-04",
    "capacity": 12,
    "seats_taken": 5,
    "seats_left": 7,
    "waitlisted": 0,
    "nomination_deadline": "2026-09-30",
    "target_countries": ["ID", "PH", "TH"],
    "language": "en",
    "status": "open",
    "description": "",
    "visits": [{"id": 21, "date": "2026-11-18", "place": "Shinjuku station Koban", "kind": "koban"}],
    "created_at": "2026-05-01T10:00:00+09:00",
    "updated_at": "2026-06-12T16:30:00+09:00",
}

NOMINATION_CSV_EXAMPLE = (
    ",".join(PERSON_FIELDS) + "\n"
    "Santoso,Budi,,male,1985-04-12,ID,polri,Inspector,Head of Koban unit,,,,\n"
    "Wijaya,Sari,,female,1990-08-30,ID,polri,Inspector,Community policing trainer,,,,\n"
    "Pratama,Adi,,male,1988-01-05,ID,polri,Commissioner,Deputy chief,,,,\n"
)


@extend_schema_view(
    list=extend_schema(
        description="Courses you may see. `status=open` lists those taking nominations now.",
        examples=[OpenApiExample("An open course", response_only=True, value=OPEN_COURSE_EXAMPLE)],
    )
)
class CourseViewSet(HistoryImportMixin, ServiceWritesMixin, CooperationViewSet):
    """Courses held in Japan for foreign officers.

    Partner coordinators see the open courses they may nominate to — those naming no
    target country or their organization's country (development agencies and
    international organizations see every open course) — and every course they have
    nominated to. Seats: `seats_taken` counts accepted, arrived and completed trainees, and
    `waitlisted` the waiting list; for a partner, only its own nominees (`seats_left` is
    then null: it would be computed from other organizations' nominations).
    """

    queryset = Course.objects.select_related("host", "program", "project").prefetch_related("fields", listed("visits"))
    serializer_class = CourseSerializer
    row_import = CourseHistory()
    filterset_class = CourseFilter
    search_fields = ("code", "title", "title_ja")
    ordering_fields = ("code", "title", "start_date", "end_date", "nomination_deadline", "status", "updated_at")
    ordering = ("-start_date", "code", "pk")
    create_service = staticmethod(services.course_create)
    update_service = staticmethod(services.course_update)
    instance_argument = "course"

    def restricted_queryset(self, action: str):
        user = self.request.user
        counted_for = None if sees_everything(user, "view") else organization_of(user)
        return courses_with_seat_counts(super().restricted_queryset(action), nominated_by=counted_for)

    @extend_schema(
        summary="Nominate the participants listed in a file (all or nothing)",
        description="A CSV file in UTF-8 (agency staff may also send an XLSX workbook) whose first row is "
        "exactly the documented header; at most 5,000 rows and 5 MB. Dates are YYYY-MM-DD, nationality an "
        "ISO 3166 alpha-2 code, gender one of female, male, other, undisclosed, organization an organization "
        "code. A person your organization already nominated (same nationality, name ignoring case and "
        "spaces, and date of birth) is nominated as that trainee; anyone else becomes a new trainee. Every row "
        "is checked; one problem anywhere and nothing is written.",
        request={"multipart/form-data": NominationUploadSerializer},
        responses={
            201: NominationResultSerializer,
            400: OpenApiResponse(
                response=NominationErrorSerializer,
                description="The file or some rows are invalid; `error.rows` lists every problem as "
                "{row, field, code, message} (the header is row 1). Nothing was written.",
            ),
            413: OpenApiResponse(response=ErrorSerializer, description="The file is larger than 5 MB."),
        },
        examples=[
            OpenApiExample(
                "Three officers",
                request_only=True,
                media_type="multipart/form-data",
                value={"file": NOMINATION_CSV_EXAMPLE},
            ),
            OpenApiExample(
                "Three nominated",
                response_only=True,
                status_codes=["201"],
                value={
                    "course": 7,
                    "nominated": 3,
                    "new_trainees": 2,
                    "existing_trainees": 1,
                    "rows": [
                        {"row": 2, "enrollment": 90, "trainee": 55, "new_trainee": True},
                        {"row": 3, "enrollment": 91, "trainee": 56, "new_trainee": True},
                        {"row": 4, "enrollment": 92, "trainee": 31, "new_trainee": False},
                    ],
                },
            ),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="nominations",
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[CanNominate],
        filter_backends=[],
    )
    def nominations(self, request, pk=None):
        course = get_object_or_404(Course.objects.restrict(request.user, "view"), pk=pk)
        form = NominationUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        nominated_by = self._nominating_organization(request, form.validated_data.get("nominated_by", ""))
        try:
            rows = read_rows(upload.read(), name=upload.name or "", allow_xlsx=can_see_personal_data(request.user))
            result = nominations_import(
                course=course,
                rows=rows,
                nominated_by=nominated_by,
                recorded_by=None if sees_everything(request.user, "add") else nominated_by,
                actor=request.user,
            )
        except FileError as exc:
            return file_refused(exc)
        except RowsInvalid as exc:
            return rows_refused(exc.errors)
        data = {
            "course": course.pk,
            "nominated": len(result.rows),
            "new_trainees": result.new_trainees,
            "existing_trainees": len(result.rows) - result.new_trainees,
            "rows": [
                {
                    "row": row.row,
                    "enrollment": row.enrollment_id,
                    "trainee": row.trainee_id,
                    "new_trainee": row.new_trainee,
                }
                for row in result.rows
            ],
        }
        return Response(data, status=status.HTTP_201_CREATED)

    def _nominating_organization(self, request, code: str) -> Organization:
        own = organization_of(request.user)
        if not sees_everything(request.user, "add"):
            if code and (own is None or code != own.code):
                raise exceptions.ValidationError({"nominated_by": [_("You nominate for your own organization only.")]})
            if own is None:
                raise exceptions.PermissionDenied(_("Your account belongs to no organization."))
            return own
        if code:
            organization = Organization.objects.filter(code=code).first()
            if organization is None:
                raise exceptions.ValidationError({"nominated_by": [_("No organization has this code.")]})
            return organization
        if own is None:
            raise exceptions.ValidationError({"nominated_by": [_("Name the nominating organization.")]})
        return own


class CourseVisitViewSet(CooperationViewSet):
    """Site visits within a course: prefectural police, a Koban, a command center."""

    queryset = CourseVisit.objects.select_related("course", "organization")
    serializer_class = CourseVisitSerializer
    filterset_class = CourseVisitFilter
    search_fields = ("place", "course__code")
    ordering_fields = ("date", "updated_at")
    ordering = ("course", "date", "pk")


class TraineeViewSet(HistoryImportMixin, ArchivingViewSetMixin, ServiceWritesMixin, CooperationViewSet):
    """One record per person across courses. Dates of birth, contact details and passports
    are present for agency staff only; partners see the trainees they nominated."""

    queryset = Trainee.objects.select_related("organization")
    serializer_class = TraineeSerializer
    row_import = TraineeHistory()
    filterset_class = TraineeFilter
    # Names only: searching or ordering by personal data would reveal it.
    search_fields = ("family_name", "given_name", "name_ja")
    ordering_fields = ("family_name", "given_name", "nationality", "updated_at")
    ordering = ("family_name", "given_name", "pk")
    create_service = staticmethod(services.trainee_create)
    update_service = staticmethod(services.trainee_update)
    instance_argument = "trainee"

    def restricted_queryset(self, action: str):
        # A partner sees, of each trainee's enrollments, only those it made.
        visible = Enrollment.objects.restrict(self.request.user, "view").select_related("course").order_by("pk")
        return (
            super()
            .restricted_queryset(action)
            .prefetch_related(Prefetch("enrollments", queryset=visible, to_attr="visible_enrollments"))
        )


class EnrollmentViewSet(CooperationViewSet):
    """Nominations and what became of them: nominated → accepted / waitlisted / rejected →
    arrived → completed, or withdrawn. Partners nominate (POST, with `trainee` or
    `new_trainee`) and withdraw their own nominees; staff move enrollments along."""

    queryset = Enrollment.objects.select_related("course", "trainee", "nominated_by").prefetch_related(
        listed("status_changes", EnrollmentStatusChange.objects.order_by("changed_at", "pk"))
    )
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    search_fields = ("trainee__family_name", "trainee__given_name", "course__code", "certificate_number")
    ordering_fields = ("course__start_date", "status", "waitlist_position", "updated_at")
    ordering = ("course", "pk")
    # An enrollment is withdrawn, never deleted: its history stays.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        if sees_everything(user, "add"):
            nominated_by = data.get("nominated_by") or organization_of(user)
            if nominated_by is None:
                raise exceptions.ValidationError({"nominated_by": [_("Name the nominating organization.")]})
            # Staff match a new trainee among every record.
            recorded_by = None
        else:
            nominated_by = organization_of(user)
            if nominated_by is None:
                raise exceptions.PermissionDenied(_("Your account belongs to no organization."))
            # A partner matches only among the trainees it nominated (see trainee_match_or_create).
            recorded_by = nominated_by
        trainee = data.get("trainee")
        if trainee is None:
            trainee, _created = services.trainee_match_or_create(
                details=data["new_trainee"], actor=user, recorded_by=recorded_by
            )
        return services.enrollment_nominate(
            course=data["course"], trainee=trainee, nominated_by=nominated_by, actor=user, note=data.get("note", "")
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        return services.enrollment_record_outcome(
            enrollment=serializer.instance,
            actor=self.request.user,
            action_plan=data.get("action_plan"),
            evaluation=data.get("evaluation"),
        )

    @extend_schema(
        summary="Move the enrollment to another status (staff only)",
        description="Accepting into a full course places the nominee on the waitlist (the answer says so). "
        "A seat-holder withdrawn or rejected hands the seat to the first waitlisted trainee. Completing "
        "needs `action_plan` and `evaluation` and issues the certificate number.",
        request=EnrollmentTransitionSerializer,
        responses={200: EnrollmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        _staff_only(request.user)
        enrollment = self.get_object()
        form = EnrollmentTransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        moved = services.enrollment_transition(
            enrollment=enrollment,
            to=form.validated_data["to"],
            actor=request.user,
            note=form.validated_data["note"],
            action_plan=form.validated_data.get("action_plan"),
            evaluation=form.validated_data.get("evaluation"),
        )
        reloaded = self._reloaded(moved)
        return self._with_etag(Response(self.get_serializer(reloaded).data), reloaded)

    @extend_schema(
        summary="Withdraw a nominee (partners: their own nominees)",
        description="A withdrawn seat-holder's seat goes to the first waitlisted trainee.",
        request=EnrollmentWithdrawSerializer,
        responses={200: EnrollmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrollment = self.get_object()
        form = EnrollmentWithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        moved = services.enrollment_withdraw(
            enrollment=enrollment, actor=request.user, note=form.validated_data["note"]
        )
        reloaded = self._reloaded(moved)
        return self._with_etag(Response(self.get_serializer(reloaded).data), reloaded)

    @extend_schema(
        summary="Record a participation in a course that is over, directly as completed or withdrawn (staff only)",
        description="The nomination deadline and the course being open are not applied; a person is still "
        "enrolled once per course, holds one seat at a time, and the seats stay within the capacity. The "
        "record and its history are marked retrospective.",
        request=PastEnrollmentSerializer,
        responses={201: EnrollmentSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="record-past",
        permission_classes=[StaffOnly],
        pagination_class=None,
        filter_backends=[],
    )
    def record_past(self, request):
        form = PastEnrollmentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        recorded = services.enrollment_record_past(actor=request.user, **form.validated_data)
        return Response(self.get_serializer(self._reloaded(recorded)).data, status=status.HTTP_201_CREATED)


class DelegationViewSet(HistoryImportMixin, ServiceWritesMixin, CooperationViewSet):
    """Foreign delegations received (agency staff and managers)."""

    queryset = Delegation.objects.select_related("organization")
    serializer_class = DelegationSerializer
    row_import = DelegationHistory()
    filterset_class = DelegationFilter
    search_fields = ("title", "purpose")
    ordering_fields = ("start_date", "end_date", "status", "visitors", "country", "updated_at")
    ordering = ("-start_date", "pk")

    create_service = staticmethod(services.delegation_create)
    update_service = staticmethod(services.delegation_update)
    instance_argument = "delegation"

    @extend_schema(
        summary="Record a delegation received in the past, directly as held (staff only)",
        request=PastDelegationSerializer,
        responses={201: DelegationSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="record-past",
        permission_classes=[StaffOnly],
        pagination_class=None,
        filter_backends=[],
    )
    def record_past(self, request):
        form = PastDelegationSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        recorded = services.delegation_record_past(actor=request.user, **form.validated_data)
        return Response(self.get_serializer(self._reloaded(recorded)).data, status=status.HTTP_201_CREATED)
