"""Serializers of the trainees resources."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperation.access import organization_of
from cooperation.api.links import page_link
from cooperation.api.row_imports import RowProblemSerializer
from cooperation.api.schema import ErrorBodySerializer
from cooperation.api.serializers import BriefRelatedField, CodeRelatedField, CooperationSerializer, NestedRowSerializer
from cooperation.models import CooperationField, Organization
from cooperation.privacy import PersonalDataMixin
from cooperation.roles import sees_everything
from programs.models import Program, Project

from ..models import (
    PERSON_FIELDS,
    RETROSPECTIVE_ENROLLMENT_STATUSES,
    Course,
    CourseVisit,
    Delegation,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Trainee,
)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class CourseVisitSerializer(CooperationSerializer):
    course = BriefRelatedField(queryset=Course.objects.all())
    organization = CodeRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)

    class Meta:
        model = CourseVisit
        fields = ("id", "url", "display", "course", "date", "place", "kind", "organization", "note", "updated_at")
        brief_fields = ("id", "url", "display", "date", "kind")


class NestedVisitSerializer(NestedRowSerializer):
    class Meta:
        model = CourseVisit
        fields = ("id", "date", "place", "kind")


class CourseSerializer(CooperationSerializer):
    host = CodeRelatedField(queryset=Organization.objects.all())
    program = CodeRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    project = CodeRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)
    fields = CodeRelatedField(queryset=CooperationField.objects.all(), many=True, required=False)  # type: ignore[assignment]  # a declared field, moved off the class by DRF
    target_countries = serializers.ListField(child=CountryField(), required=False)
    seats_taken = serializers.IntegerField(
        read_only=True, help_text="Accepted, arrived and completed trainees (for a partner: its own nominees)."
    )
    waitlisted = serializers.IntegerField(read_only=True, help_text="On the waiting list (for a partner: its own).")
    seats_left = serializers.SerializerMethodField(help_text="Free seats; null for partners.")
    visits = NestedVisitSerializer(many=True, read_only=True)
    confirm_participants = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=0,
        help_text="When cancelling a course that has participants (nominated, waitlisted, accepted, arrived or "
        "completed): their current number, confirming the cancellation for all of them.",
    )

    class Meta:
        model = Course
        fields = (
            "id",
            "url",
            "display",
            "code",
            "title",
            "title_ja",
            "kind",
            "host",
            "program",
            "project",
            "fields",
            "start_date",
            "end_date",
            "capacity",
            "seats_taken",
            "seats_left",
            "waitlisted",
            "nomination_deadline",
            "target_countries",
            "language",
            "status",
            "confirm_participants",
            "description",
            "visits",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "code", "start_date", "end_date")

    def get_seats_left(self, obj) -> int | None:
        taken = getattr(obj, "seats_taken", None)
        user = _user(self)
        if taken is None or (user is not None and not sees_everything(user, "view")):
            # A partner's seat count holds its own nominees only; the rest is not its to know.
            return None
        return max(obj.capacity - taken, 0)


class EnrollmentBriefSerializer(NestedRowSerializer):
    course = BriefRelatedField(read_only=True)

    class Meta:
        model = Enrollment
        fields = ("id", "course", "status")


class TraineeSerializer(PersonalDataMixin, CooperationSerializer):
    nationality = CountryField()
    organization = CodeRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    enrollments = serializers.SerializerMethodField(help_text="The enrollments you may see.")

    class Meta:
        model = Trainee
        fields = (
            "id",
            "url",
            "display",
            *PERSON_FIELDS,
            "enrollments",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "nationality")

    @extend_schema_field(EnrollmentBriefSerializer(many=True))
    def get_enrollments(self, obj) -> list[dict]:
        visible = getattr(obj, "visible_enrollments", None)
        if visible is None:
            return []
        return EnrollmentBriefSerializer(visible, many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a list


class NewTraineeSerializer(serializers.ModelSerializer):
    """A person nominated for the first time; matched to their record if they have one."""

    nationality = CountryField()
    organization = CodeRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Trainee
        fields = PERSON_FIELDS
        # Input only: the person's details come back, if at all, through the trainee resource.
        extra_kwargs = {name: {"write_only": True} for name in fields}
        validators: list[Any] = []


class StatusChangeSerializer(NestedRowSerializer):
    class Meta:
        model = EnrollmentStatusChange
        fields = ("from_status", "to_status", "changed_at", "note", "retrospective")


class EnrollmentSerializer(CooperationSerializer):
    course = BriefRelatedField(queryset=Course.objects.all())
    trainee = BriefRelatedField(queryset=Trainee.objects.all(), required=False)
    new_trainee = NewTraineeSerializer(
        write_only=True,
        required=False,
        help_text="Instead of `trainee`: the person's details. Someone your organization already nominated "
        "(same nationality, name and date of birth) is nominated as that trainee; anyone else becomes a new trainee.",
    )
    nominated_by = CodeRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        help_text="Partner coordinators always nominate for their own organization.",
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True)
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    certificate_url = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = (
            "id",
            "url",
            "display",
            "course",
            "trainee",
            "new_trainee",
            "nominated_by",
            "status",
            "waitlist_position",
            "certificate_number",
            "certificate_issued_on",
            "certificate_url",
            "action_plan",
            "evaluation",
            "note",
            "status_changes",
            "retrospective",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "status",
            "waitlist_position",
            "certificate_number",
            "certificate_issued_on",
            "retrospective",
        )
        brief_fields = ("id", "url", "display", "status")
        # The nomination service refuses a second nomination with the enrollment's number.
        validators: list[Any] = []

    def get_certificate_url(self, obj) -> str | None:
        if obj.status != EnrollmentStatus.COMPLETED:
            return None
        request = self.context.get("request")

        def make(pk: str) -> str:
            path = reverse("trainees:certificate", args=[pk])
            return request.build_absolute_uri(path) if request is not None else path

        return page_link(self.context, "trainees:certificate", make, obj.pk)

    def validate(self, attrs):
        # The nomination and transition services validate the whole record; the model's
        # clean here would only see half of it (nominated_by is settled by the view).
        attrs = serializers.HyperlinkedModelSerializer.validate(self, attrs)
        if self.instance is None:
            if ("trainee" in attrs) == ("new_trainee" in attrs):
                raise serializers.ValidationError(
                    {"trainee": [_("Give either `trainee` (an id) or `new_trainee` (the person's details).")]},
                    code="trainee_or_new_trainee",
                )
            outcome = [name for name in ("action_plan", "evaluation") if attrs.get(name)]
            if outcome:
                raise serializers.ValidationError(
                    {name: [_("Recorded once the trainee has taken part, not at nomination.")] for name in outcome},
                    code="not_at_nomination",
                )
            user = _user(self)
            if user is not None and not sees_everything(user, "add"):
                own = organization_of(user)
                chosen = attrs.get("nominated_by")
                if chosen is not None and chosen != own:
                    raise serializers.ValidationError(
                        {"nominated_by": [_("You nominate for your own organization only.")]}, code="own_organization"
                    )
        else:
            fixed = [
                name
                for name in ("course", "trainee", "nominated_by", "new_trainee")
                if name in attrs and attrs[name] != getattr(self.instance, name, None)
            ]
            if fixed:
                raise serializers.ValidationError(
                    {name: [_("Cannot change after nomination; withdraw and nominate again.")] for name in fixed},
                    code="fixed_after_nomination",
                )
        return attrs


class EnrollmentTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    action_plan = serializers.CharField(required=False, allow_blank=True)
    evaluation = serializers.CharField(required=False, allow_blank=True)


class EnrollmentWithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NominationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV in UTF-8 (XLSX for agency staff) whose first row is exactly: " + ",".join(PERSON_FIELDS)
    )
    nominated_by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="Organization code (staff only; partners nominate for their own).",
    )


class NominationRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    trainee = serializers.IntegerField()
    new_trainee = serializers.BooleanField()


class NominationResultSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    nominated = serializers.IntegerField()
    new_trainees = serializers.IntegerField()
    existing_trainees = serializers.IntegerField()
    rows = NominationRowSerializer(many=True)


class NominationErrorBodySerializer(ErrorBodySerializer):
    rows = RowProblemSerializer(many=True, required=False)


class NominationErrorSerializer(serializers.Serializer):
    error = NominationErrorBodySerializer()


class DelegationSerializer(CooperationSerializer):
    country = CountryField()
    organization = CodeRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    facilities_visited = serializers.ListField(
        child=serializers.ChoiceField(choices=Delegation.Facility.choices), required=False
    )

    class Meta:
        model = Delegation
        fields = (
            "id",
            "url",
            "display",
            "title",
            "status",
            "start_date",
            "end_date",
            "country",
            "organization",
            "visitors",
            "facilities_visited",
            "purpose",
            "retrospective",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = ("retrospective",)
        brief_fields = ("id", "url", "display", "start_date", "visitors")


class PastEnrollmentSerializer(serializers.Serializer):
    """A participation in a course that is over, recorded directly in its final state."""

    course = BriefRelatedField(queryset=Course.objects.all())
    trainee = BriefRelatedField(queryset=Trainee.objects.all())
    nominated_by = CodeRelatedField(queryset=Organization.objects.all())
    status = serializers.ChoiceField(
        choices=RETROSPECTIVE_ENROLLMENT_STATUSES,
        default=EnrollmentStatus.COMPLETED,
        help_text="completed, or withdrawn (after arrival).",
    )
    certificate_number = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="The course's next number when not given."
    )
    certificate_issued_on = serializers.DateField(required=False, help_text="The course's last day when not given.")
    action_plan = serializers.CharField(required=False, allow_blank=True)
    evaluation = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, help_text="The status history's note.")


class PastDelegationSerializer(DelegationSerializer):
    """A delegation received in the past: recorded held."""

    class Meta(DelegationSerializer.Meta):
        read_only_fields = ("status", "retrospective")
